package dev.holdfast.operator.copy;

import dev.holdfast.oci.copy.CopyException;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.registry.DeniedException;
import dev.holdfast.oci.registry.NotFoundException;
import dev.holdfast.oci.registry.RegistryUnavailableException;
import dev.holdfast.oci.registry.TlsException;
import dev.holdfast.oci.registry.UnauthorizedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** How one copy job ended. */
public sealed interface CopyOutcome {

  /**
   * The copy was made (or found) and read back by digest at the destination.
   *
   * @param copy the copy, {@code reg/repo:tag@sha256:...} (no tag for a digest-only source)
   * @param servedFrom the location that served it
   * @param bytesCopied bytes moved by this job (0 when the destination had everything)
   */
  record Verified(String copy, String digest, List<String> platforms, long size, String servedFrom,
      Instant verifiedAt, long bytesCopied, Duration elapsed, SourceAccess.Grants grants) implements CopyOutcome {}

  /** Which further namespaces' own pull secrets can read a private source (no copy was made). */
  record Granted(SourceAccess.Grants grants, Instant at) implements CopyOutcome {}

  /**
   * The copy failed or could not be verified.
   *
   * @param reason a condition reason: {@code NotFound}, {@code Unauthorized}, {@code Unreachable},
   *     {@code VerificationFailed}, {@code Blocked}, {@code CopyFailed}
   */
  record Failed(String reason, String message, Instant at, Duration elapsed) implements CopyOutcome {}

  /** The condition reason for a failure's cause. */
  static String reasonFor(Throwable cause) {
    return switch (cause) {
      case NotFoundException e -> "NotFound";
      case UnauthorizedException e -> "Unauthorized";
      case DeniedException e -> "Unauthorized";
      case RegistryUnavailableException e -> "Unreachable";
      case TlsException e -> "Unreachable";
      case CopyException.VerificationFailed e -> "VerificationFailed";
      case CopyException.SourceBlocked e -> "Blocked";
      case CopyException.SourceUnavailable e -> {
        // No source served the image. Without a cause, each of them said it has no such image;
        // else the last failure says why.
        if (e.getCause() == null) {
          yield "NotFound";
        }
        String inner = reasonFor(e.getCause());
        yield inner.equals("CopyFailed") ? "Unreachable" : inner;
      }
      default -> "CopyFailed";
    };
  }

  /** The failure of a copy the engine reported as failed. */
  static Failed of(CopyResult.Failed failed, Instant at) {
    return new Failed(reasonFor(failed.cause()), failed.cause().getMessage(), at, failed.elapsed());
  }
}

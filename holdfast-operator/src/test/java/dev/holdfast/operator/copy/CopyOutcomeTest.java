package dev.holdfast.operator.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.copy.CopyException;
import dev.holdfast.oci.copy.CopyOptions;
import dev.holdfast.oci.copy.CopyRequest;
import dev.holdfast.oci.copy.CopyResult;
import dev.holdfast.oci.copy.CopyStats;
import dev.holdfast.oci.copy.ImageLocation;
import dev.holdfast.oci.layout.OciLayoutException;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.registry.DeniedException;
import dev.holdfast.oci.registry.DigestMismatchException;
import dev.holdfast.oci.registry.NotFoundException;
import dev.holdfast.oci.registry.RegistryException;
import dev.holdfast.oci.registry.RegistryUnavailableException;
import dev.holdfast.oci.registry.TlsException;
import dev.holdfast.oci.registry.TooManyRequestsException;
import dev.holdfast.oci.registry.UnauthorizedException;
import java.lang.reflect.Constructor;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The condition reason for each failure the library reports. The registry client's exceptions have
 * package-private constructors (only the client makes them), so the table builds them reflectively
 * with the arguments the client passes.
 */
class CopyOutcomeTest {
  private static final String REGISTRY = "registry.example.com";
  private static final String ACTION = "pull manifest registry.example.com/app:1";
  /** The reasons {@link CopyOutcome.Failed} documents. */
  private static final java.util.List<String> DOCUMENTED =
      java.util.List.of("NotFound", "Unauthorized", "Unreachable", "VerificationFailed", "Blocked", "CopyFailed");

  /** Calls the one declared constructor of {@code type} with {@code args}. */
  private static <T> T create(Class<T> type, Object... args) {
    try {
      Constructor<?> constructor = Arrays.stream(type.getDeclaredConstructors())
          .filter(c -> c.getParameterCount() == args.length).findFirst().orElseThrow();
      constructor.setAccessible(true);
      return type.cast(constructor.newInstance(args));
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot create " + type.getSimpleName(), e);
    }
  }

  private static NotFoundException notFound(String code) {
    return create(NotFoundException.class, REGISTRY, ACTION, 404, code, "manifest unknown");
  }

  private static UnauthorizedException unauthorized() {
    return create(UnauthorizedException.class, REGISTRY, ACTION, "UNAUTHORIZED", "authentication required");
  }

  private static RegistryUnavailableException unavailable() {
    return create(RegistryUnavailableException.class, REGISTRY, ACTION, 503, null, "the registry failed",
        new java.net.ConnectException("refused"));
  }

  private static Digest digest(char c) {
    return Digest.parse("sha256:" + String.valueOf(c).repeat(64));
  }

  static Stream<Arguments> reasons() {
    return Stream.of(
        // the registry client's exceptions
        Arguments.of(notFound("MANIFEST_UNKNOWN"), "NotFound"),
        Arguments.of(notFound("NAME_UNKNOWN"), "NotFound"),
        Arguments.of(notFound(null), "NotFound"),
        Arguments.of(unauthorized(), "Unauthorized"),
        Arguments.of(create(DeniedException.class, REGISTRY, ACTION, 403, "DENIED", "requested access is denied"),
            "Unauthorized"),
        Arguments.of(unavailable(), "Unreachable"),
        Arguments.of(create(TlsException.class, REGISTRY, ACTION, "certificate not trusted",
            new javax.net.ssl.SSLHandshakeException("PKIX")), "Unreachable"),
        Arguments.of(create(DigestMismatchException.class, REGISTRY, ACTION, digest('a'), digest('b'), 10L, 10L),
            "CopyFailed"),
        Arguments.of(create(RegistryException.class, REGISTRY, ACTION, 400, "MANIFEST_INVALID", "bad manifest",
            null), "CopyFailed"),
        // the copy engine's
        Arguments.of(new CopyException.VerificationFailed("blob sha256:... is missing at the destination"),
            "VerificationFailed"),
        Arguments.of(new CopyException.SourceBlocked("docker.io is blocked"), "Blocked"),
        Arguments.of(new CopyException.NoMatchingPlatform("no linux/s390x"), "CopyFailed"),
        Arguments.of(new CopyException("something else"), "CopyFailed"),
        // no source served the image: the last source's failure says why
        Arguments.of(new CopyException.SourceUnavailable("no source has it", notFound("MANIFEST_UNKNOWN")),
            "NotFound"),
        Arguments.of(new CopyException.SourceUnavailable("no source let us in", unauthorized()), "Unauthorized"),
        Arguments.of(new CopyException.SourceUnavailable("none reachable", unavailable()), "Unreachable"),
        Arguments.of(new CopyException.SourceUnavailable("none", new IllegalStateException("?")), "Unreachable"),
        // without a cause, every source said it has no such image
        Arguments.of(new CopyException.SourceUnavailable("none", null), "NotFound"),
        Arguments.of(new CopyException.SourceUnavailable("nested", new CopyException.SourceUnavailable("inner",
            notFound(null))), "NotFound"),
        Arguments.of(new CopyException.SourceUnavailable("blocked", new CopyException.SourceBlocked("b")), "Blocked"),
        // anything else
        Arguments.of(new OciLayoutException("index.json is malformed"), "CopyFailed"),
        Arguments.of(new IllegalArgumentException("bad"), "CopyFailed"),
        Arguments.of(new RuntimeException(), "CopyFailed"),
        Arguments.of(new OutOfMemoryError(), "CopyFailed"));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("reasons")
  void theReasonForEachFailure(Throwable cause, String reason) {
    assertThat(CopyOutcome.reasonFor(cause)).as("%s", cause).isEqualTo(reason);
  }

  @Test
  void theReasonIsOneOfTheDocumentedReasons() {
    assertThat(reasons().map(a -> CopyOutcome.reasonFor((Throwable) a.get()[0])).distinct()).isSubsetOf(DOCUMENTED);
  }

  @Test
  void aRateLimitedRegistryIsAFailureNotACrash() {
    TooManyRequestsException limited = create(TooManyRequestsException.class, REGISTRY, ACTION,
        "pull rate limit reached", Duration.ofSeconds(30));

    assertThat(CopyOutcome.reasonFor(limited)).isIn(DOCUMENTED);
    assertThat(CopyOutcome.reasonFor(new CopyException.SourceUnavailable("none", limited))).isIn(DOCUMENTED);
  }

  @Test
  void aFailedCopyResultGivesTheReasonMessageTimeAndElapsedTime() {
    ImageLocation source = ImageLocation.parse("docker.io/library/nginx:1.27");
    ImageLocation destination = ImageLocation.parse("copies.example.com/keep/docker.io/library/nginx:1.27");
    NotFoundException cause = notFound("MANIFEST_UNKNOWN");
    CopyResult.Failed failed = new CopyResult.Failed(CopyRequest.of(source, destination, CopyOptions.defaults()),
        Optional.empty(), cause, CopyStats.NONE, Duration.ofMillis(1500));
    Instant at = Instant.parse("2025-03-01T10:00:00Z");

    CopyOutcome.Failed outcome = CopyOutcome.of(failed, at);

    assertThat(outcome).isEqualTo(new CopyOutcome.Failed("NotFound", cause.getMessage(), at,
        Duration.ofMillis(1500)));
    assertThat(outcome.message()).contains(ACTION).contains(REGISTRY);
  }
}

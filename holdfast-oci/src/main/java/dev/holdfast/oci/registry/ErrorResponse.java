package dev.holdfast.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A Distribution error body ({@code {"errors":[{"code":..,"message":..,"detail":..}]}}) and the
 * mapping of a failed response to the typed exceptions.
 *
 * @see <a href="https://github.com/opencontainers/distribution-spec/blob/main/spec.md#error-codes">
 *     OCI distribution spec: error codes</a>
 */
record ErrorResponse(List<Error> errors) {

  /** One entry of the {@code errors} array; {@code detail} is kept only as text. */
  record Error(String code, String message) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_DETAIL = 300;

  ErrorResponse {
    errors = List.copyOf(errors);
  }

  /** Parses an error body; anything that is not the Distribution shape gives no errors. */
  static ErrorResponse parse(byte[] body) {
    List<Error> errors = new ArrayList<>();
    if (body != null && body.length > 0) {
      try {
        JsonNode root = JSON.readTree(body);
        JsonNode array = root == null ? null : root.get("errors");
        if (array != null && array.isArray()) {
          for (JsonNode entry : array) {
            String code = text(entry.get("code"));
            if (code != null) {
              errors.add(new Error(code.toUpperCase(Locale.ROOT), text(entry.get("message"))));
            }
          }
        }
      } catch (IOException | RuntimeException notJson) {
        // not a Distribution error body: the status alone decides
      }
    }
    return new ErrorResponse(errors);
  }

  private static String text(JsonNode node) {
    return node == null || node.isNull() ? null : node.isTextual() ? node.asText() : node.toString();
  }

  /** The first error code, if the body had one. */
  Optional<String> firstCode() {
    return errors.isEmpty() ? Optional.empty() : Optional.of(errors.get(0).code());
  }

  /** A short human description: the registry's messages, or the body's start, or the status. */
  String describe(int status, byte[] body) {
    StringBuilder text = new StringBuilder();
    for (Error error : errors) {
      if (!text.isEmpty()) {
        text.append("; ");
      }
      text.append(error.message() == null ? error.code().toLowerCase(Locale.ROOT) : error.message());
    }
    if (text.isEmpty() && body != null && body.length > 0) {
      text.append(new String(body, 0, Math.min(body.length, MAX_DETAIL), StandardCharsets.UTF_8)
          .replaceAll("\\s+", " ").trim());
      if (body.length > MAX_DETAIL) {
        text.append("...");
      }
    }
    if (text.isEmpty()) {
      text.append(switch (status) { // the exception's message adds "(HTTP <status>)"
        case 401 -> "unauthorized";
        case 403 -> "denied";
        case 404 -> "not found";
        case 405 -> "method not allowed";
        case 429 -> "too many requests";
        default -> status >= 500 ? "the registry failed" : "unexpected answer";
      });
    }
    String result = text.toString().replaceAll("[\\p{Cntrl}]", " ");
    return result.length() > MAX_DETAIL ? result.substring(0, MAX_DETAIL) + "..." : result;
  }

  /**
   * The typed exception for a failed response: by the Distribution code when the body has a known
   * one, else by the status.
   */
  RegistryException toException(
      String registry, String action, int status, byte[] body, Duration retryAfter) {
    return toException(registry, action, status, body, retryAfter, null);
  }

  /**
   * As {@link #toException(String, String, int, byte[], Duration)}; {@code unauthorizedHint}, when
   * not null, is added to the message of an {@link UnauthorizedException} (what the client sent).
   */
  RegistryException toException(
      String registry, String action, int status, byte[] body, Duration retryAfter, String unauthorizedHint) {
    String code = firstCode().orElse(null);
    String detail = describe(status, body);
    String kind = code == null ? "" : code;
    String unauthorized = unauthorizedHint == null ? detail : detail + "; " + unauthorizedHint;
    if (kind.equals("UNAUTHORIZED") || (code == null && status == 401)) {
      return new UnauthorizedException(registry, action, code, unauthorized);
    }
    if (kind.equals("DENIED") || (code == null && status == 403)) {
      return new DeniedException(registry, action, status, code, detail);
    }
    if (kind.equals("TOOMANYREQUESTS") || status == 429) {
      return new TooManyRequestsException(registry, action, detail, retryAfter);
    }
    if (kind.endsWith("_UNKNOWN") || status == 404) {
      return new NotFoundException(registry, action, status, code, detail);
    }
    if (kind.equals("UNAVAILABLE") || RetryPolicy.isRetryableStatus(status)) {
      return new RegistryUnavailableException(registry, action, status, code, detail, null);
    }
    if (status == 401) {
      return new UnauthorizedException(registry, action, code, unauthorized);
    }
    if (status == 403) {
      return new DeniedException(registry, action, status, code, detail);
    }
    return new RegistryException(registry, action, status, code, detail, null);
  }
}

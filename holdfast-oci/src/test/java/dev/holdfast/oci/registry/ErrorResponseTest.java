package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ErrorResponseTest {

  private static String body(String code, String message) {
    return "{\"errors\":[{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"detail\":{\"x\":1}}]}";
  }

  static Stream<Arguments> mappings() {
    return Stream.of(
        // --- the Distribution codes decide
        Arguments.of(404, body("MANIFEST_UNKNOWN", "manifest unknown"), NotFoundException.class, false, "MANIFEST_UNKNOWN"),
        Arguments.of(404, body("BLOB_UNKNOWN", "blob unknown to registry"), NotFoundException.class, false, "BLOB_UNKNOWN"),
        Arguments.of(404, body("NAME_UNKNOWN", "repository name not known to registry"), NotFoundException.class, false, "NAME_UNKNOWN"),
        Arguments.of(404, body("BLOB_UPLOAD_UNKNOWN", "blob upload unknown"), NotFoundException.class, false, "BLOB_UPLOAD_UNKNOWN"),
        Arguments.of(401, body("UNAUTHORIZED", "authentication required"), UnauthorizedException.class, false, "UNAUTHORIZED"),
        Arguments.of(403, body("DENIED", "requested access to the resource is denied"), DeniedException.class, false, "DENIED"),
        Arguments.of(401, body("DENIED", "denied"), DeniedException.class, false, "DENIED"),
        Arguments.of(429, body("TOOMANYREQUESTS", "slow down"), TooManyRequestsException.class, true, "TOOMANYREQUESTS"),
        Arguments.of(503, body("UNAVAILABLE", "maintenance"), RegistryUnavailableException.class, true, "UNAVAILABLE"),
        Arguments.of(400, body("MANIFEST_INVALID", "manifest invalid"), RegistryException.class, false, "MANIFEST_INVALID"),
        Arguments.of(400, body("DIGEST_INVALID", "provided digest did not match"), RegistryException.class, false, "DIGEST_INVALID"),
        Arguments.of(400, body("manifest_blob_unknown", "blob unknown"), NotFoundException.class, false, "MANIFEST_BLOB_UNKNOWN"),
        // --- no code: the status decides
        Arguments.of(401, "", UnauthorizedException.class, false, null),
        Arguments.of(403, "<html>Forbidden</html>", DeniedException.class, false, null),
        Arguments.of(404, "404 page not found", NotFoundException.class, false, null),
        Arguments.of(429, "", TooManyRequestsException.class, true, "TOOMANYREQUESTS"),
        Arguments.of(500, "oops", RegistryUnavailableException.class, true, null),
        Arguments.of(502, "", RegistryUnavailableException.class, true, null),
        Arguments.of(408, "", RegistryUnavailableException.class, true, null),
        Arguments.of(501, "", RegistryException.class, false, null),
        Arguments.of(400, "{not json", RegistryException.class, false, null),
        Arguments.of(400, "{\"errors\":\"weird\"}", RegistryException.class, false, null));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("mappings")
  void mapsToTypedExceptions(int status, String body, Class<?> type, boolean retryable, String code) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    RegistryException e = ErrorResponse.parse(bytes)
        .toException("localhost:5000", "pull manifest localhost:5000/app:1", status, bytes, null);
    assertThat(e).isExactlyInstanceOf(type);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e.errorCode().orElse(null)).isEqualTo(code);
    assertThat(e.statusCode()).isEqualTo(status);
    assertThat(e.registry()).isEqualTo("localhost:5000");
    assertThat(e.getMessage()).startsWith("pull manifest localhost:5000/app:1 failed: ")
        .endsWith("[registry localhost:5000]").contains("HTTP " + status);
  }

  @Test
  void messageCarriesTheRegistrysWords() {
    byte[] bytes = body("NAME_UNKNOWN", "repository name not known to registry").getBytes(StandardCharsets.UTF_8);
    NotFoundException e = (NotFoundException) ErrorResponse.parse(bytes)
        .toException("r:1", "pull manifest r:1/x:y", 404, bytes, null);
    assertThat(e.getMessage()).isEqualTo("pull manifest r:1/x:y failed: repository name not known"
        + " to registry (HTTP 404, NAME_UNKNOWN) [registry r:1]");
    assertThat(e.isRepositoryMissing()).isTrue();
    assertThat(e.code()).isEqualTo("NAME_UNKNOWN");
  }

  @Test
  void plain404HasTheNotFoundCode() {
    NotFoundException e = (NotFoundException) ErrorResponse.parse(new byte[0])
        .toException("r", "a", 404, new byte[0], null);
    assertThat(e.code()).isEqualTo(NotFoundException.NOT_FOUND);
    assertThat(e.getMessage()).contains("failed: not found (HTTP 404)");
  }

  @Test
  void tooManyRequestsKeepsRetryAfter() {
    TooManyRequestsException e = (TooManyRequestsException) ErrorResponse.parse(new byte[0])
        .toException("r", "a", 429, new byte[0], Duration.ofSeconds(9));
    assertThat(e.retryAfter()).contains(Duration.ofSeconds(9));
  }

  @Test
  void longOrControlCharacterBodiesAreTrimmed() {
    byte[] bytes = ("\u0007" + "x".repeat(1000)).getBytes(StandardCharsets.UTF_8);
    RegistryException e = ErrorResponse.parse(bytes).toException("r", "a", 400, bytes, null);
    assertThat(e.getMessage()).doesNotContain("\u0007").contains("...");
    assertThat(e.getMessage().length()).isLessThan(400);
  }
}

package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which errors to a mount request mean "this registry does not take mount requests" (the client
 * then asks with HEAD and uploads without mounting), and which are errors the plain upload would
 * get as well, and so are reported.
 */
class BlobUploadOpenerTest {

  @ParameterizedTest(name = "{0} {1}: refused the mount = {2}")
  @CsvSource(nullValues = "-", value = {
      "400, UNSUPPORTED,   true",
      "400, -,             true",
      "404, -,             true",
      "405, -,             true",
      "404, NAME_UNKNOWN,  false",
      "400, NAME_INVALID,  false",
      "401, UNAUTHORIZED,  false",
      "403, DENIED,        false",
      "429, TOOMANYREQUESTS, false",
      "500, -,             false",
      "503, UNAVAILABLE,   false",
  })
  void onlyAnErrorAboutTheMountItselfCountsAsARefusal(int status, String code, boolean refused) {
    RegistryException e = new RegistryException("registry.example", "push blob", status, code, "detail", null);
    assertThat(BlobUploadOpener.refusedTheMount(e)).isEqualTo(refused);
  }
}

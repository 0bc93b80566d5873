package dev.holdfast.oci.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ToolsTest {

  @ParameterizedTest
  @CsvSource({"docker-registry, docker-registry", "htpasswd, apache2-utils", "skopeo, skopeo"})
  void missingProgramNamesThePackageToInstall(String program, String pkg) {
    assertThatThrownBy(() -> Tools.find(program, "/nonexistent-dir"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'" + program + "' was not found on PATH")
        .hasMessageContaining("apt-get install " + pkg);
  }

  @Test
  void credentialsToStringMasksThePassword() {
    assertThat(new Credentials("alice", "s3cret").toString())
        .contains("alice").doesNotContain("s3cret");
  }

  @Test
  void accessLogLinesAreParsedEvenWhenGluedToOtherOutput() {
    String log = "127.0.0.1 - - [20/Nov/2026:22:43:45 +0000] \"GET /v2/ HTTP/1.1\" 401 87 \"\""
        + " \"skopeo/1.9.3\"time=\"x\" level=info\n"
        + "127.0.0.1 - - [20/Nov/2026:22:43:46 +0000] \"POST /v2/b/blobs/uploads/?mount=sha256%3A"
        + "ab&from=a HTTP/1.1\" 201 0 \"\" \"skopeo/1.9.3\"\n";
    List<RegistryRequest> requests = RegistryRequest.parseAll(log);
    assertThat(requests).hasSize(2);
    assertThat(requests.get(0)).isEqualTo(new RegistryRequest("GET", "/v2/", 401, "skopeo/1.9.3"));
    assertThat(requests.get(1).isMount()).isTrue();
    assertThat(requests.get(1).isBlobUpload()).isFalse();
    assertThat(requests.get(1).repository()).contains("b");
    assertThat(requests.get(1).mountedDigest()).contains("sha256:ab");
    assertThat(requests.get(0).mountedDigest()).isEmpty();
  }
}

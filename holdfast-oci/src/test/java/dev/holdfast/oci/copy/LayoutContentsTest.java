package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.layout.OciLayoutException;
import dev.holdfast.oci.reference.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayoutContentsTest {

  private static final String A = "sha256:" + "a".repeat(64);
  private static final String B = "sha256:" + "b".repeat(64);

  @TempDir Path dir;

  private Path layout(String... entries) throws IOException {
    Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
    Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[" + String.join(",", entries) + "]}");
    return dir;
  }

  private static String entry(String digest, String name) {
    String annotations = name == null ? ""
        : ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + name + "\"}";
    return "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + digest
        + "\",\"size\":100" + annotations + "}";
  }

  @Test
  void fullReferencesAreImagesUnderTheirOriginalNames() throws IOException {
    LayoutContents contents = LayoutContents.read(layout(
        entry(A, "docker.io/library/nginx:1.27"), entry(B, "localhost:5000/app@" + B)));

    assertThat(contents.skipped()).isEmpty();
    assertThat(contents.images()).containsOnlyKeys(
        ImageReference.parse("docker.io/library/nginx:1.27"), ImageReference.parse("localhost:5000/app@" + B));
    assertThat(contents.images().get(ImageReference.parse("docker.io/library/nginx:1.27")).name())
        .contains("docker.io/library/nginx:1.27");
  }

  @Test
  void unnamedBareAndInvalidNamesAreSkippedWithTheReason() throws IOException {
    LayoutContents contents = LayoutContents.read(layout(
        entry(A, null), entry(A, "v1"), entry(B, "library/nginx:1"), entry(B, "ghcr.io/Upper/case:1"),
        entry(B, "ghcr.io/org/app:2")));

    assertThat(contents.images()).containsOnlyKeys(ImageReference.parse("ghcr.io/org/app:2"));
    assertThat(contents.skipped()).hasSize(4);
    assertThat(contents.skipped().get(0)).contains("entry 1").contains("has no name");
    assertThat(contents.skipped().get(1)).contains("\"v1\", not a full image reference")
        .contains("holdfast copy oci:");
    assertThat(contents.skipped().get(2)).contains("\"library/nginx:1\", not a full image reference");
    assertThat(contents.skipped().get(3)).contains("not an image reference").contains("lower case");
  }

  @Test
  void aNameGivenTwiceIsCopiedOnce() throws IOException {
    LayoutContents contents = LayoutContents.read(layout(
        entry(A, "ghcr.io/org/app:1"), entry(B, "ghcr.io/org/app:1")));
    assertThat(contents.images()).hasSize(1);
    assertThat(contents.images().values().iterator().next().name()).isEqualTo(Optional.of("ghcr.io/org/app:1"));
  }

  @Test
  void aDirectoryThatIsNoLayoutIsAnError() {
    assertThatThrownBy(() -> LayoutContents.read(dir.resolve("missing")))
        .isInstanceOf(OciLayoutException.class).hasMessageContaining("missing");
  }
}

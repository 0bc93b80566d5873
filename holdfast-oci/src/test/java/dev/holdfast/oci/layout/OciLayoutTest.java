package dev.holdfast.oci.layout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.reference.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
  @TempDir Path dir;

  private static Descriptor blob(byte[] content) {
    return Descriptor.of(MediaTypes.OCI_LAYER_TAR_GZIP, Digest.sha256(content), content.length);
  }

  private long filesUnder(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).count();
    }
  }

  @Test
  void createsAnEmptyLayoutThatReadsBack() throws IOException {
    OciLayout layout = OciLayout.openOrCreate(dir.resolve("new"));
    assertThat(Files.readString(dir.resolve("new/oci-layout"))).contains("\"imageLayoutVersion\":\"1.0.0\"");
    assertThat(OciLayout.open(dir.resolve("new")).entries()).isEmpty();
    assertThat(layout.directory()).isEqualTo(dir.resolve("new").toAbsolutePath());
  }

  @Test
  void aFileWhereTheLayoutShouldBeIsNamed() throws IOException {
    Path file = Files.writeString(dir.resolve("copies"), "x");
    assertThatThrownBy(() -> OciLayout.openOrCreate(file)).isInstanceOf(OciLayoutException.class)
        .hasMessage("create OCI layout " + file + ": a file of that name is in the way");
  }

  @Test
  void openRefusesADirectoryThatIsNoLayout() {
    assertThatThrownBy(() -> OciLayout.open(dir)).isInstanceOf(OciLayoutException.class)
        .hasMessageContaining(dir.toString()).hasMessageContaining("oci-layout");
  }

  @Test
  void blobWithWrongContentLeavesNothingBehind() throws IOException {
    OciLayout layout = OciLayout.openOrCreate(dir);
    byte[] good = "layer content".getBytes(StandardCharsets.UTF_8);
    Descriptor descriptor = blob(good);
    long before = filesUnder(dir);
    byte[] tampered = "layer c0ntent".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> layout.writeBlob(descriptor, tampered))
        .isInstanceOf(OciLayoutException.class).hasMessageContaining(descriptor.digest().toString());
    assertThatThrownBy(() -> layout.writeBlob(descriptor, "short".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(OciLayoutException.class).hasMessageContaining("expected " + good.length);
    assertThat(layout.hasBlob(descriptor.digest())).isFalse();
    assertThat(filesUnder(dir)).isEqualTo(before);

    assertThat(layout.writeBlob(descriptor, good)).isEqualTo(good.length);
    assertThat(Files.readAllBytes(layout.blobPath(descriptor.digest()))).isEqualTo(good);
    assertThat(layout.writeBlob(descriptor, good)).as("present blobs are not rewritten").isZero();
  }

  @Test
  void aStreamThatBreaksMidwayLeavesNoBlob() throws IOException {
    OciLayout layout = OciLayout.openOrCreate(dir);
    byte[] content = new byte[3 << 20];
    Descriptor descriptor = blob(content);
    InputStream failing = new InputStream() {
      int served;

      @Override
      public int read() throws IOException {
        if (served++ > (1 << 20)) {
          throw new IOException("connection reset");
        }
        return 0;
      }
    };
    long before = filesUnder(dir);
    assertThatThrownBy(() -> layout.writeBlob(descriptor, failing)).hasMessageContaining("connection reset");
    assertThat(layout.hasBlob(descriptor.digest())).isFalse();
    assertThat(filesUnder(dir)).isEqualTo(before);
  }

  @Test
  void tagReplacesTheSameNameAndKeepsOthers() {
    OciLayout layout = OciLayout.openOrCreate(dir);
    Descriptor first = manifest(layout, "{\"a\":1}");
    Descriptor second = manifest(layout, "{\"a\":2}");
    layout.tag(first, Optional.of("v1"));
    layout.tag(first, Optional.of("latest"));
    layout.tag(second, Optional.of("latest"));
    layout.tag(second, Optional.empty());
    layout.tag(second, Optional.empty());

    assertThat(layout.names()).containsExactly("v1", "latest");
    assertThat(layout.entries()).hasSize(3);
    assertThat(layout.resolve(Optional.of("latest")).digest()).isEqualTo(second.digest());
    assertThat(layout.resolve(Optional.of("v1")).digest()).isEqualTo(first.digest());
    assertThatThrownBy(() -> layout.resolve(Optional.of("missing")))
        .isInstanceOf(OciLayoutException.NotFound.class).hasMessageContaining("v1");
    assertThatThrownBy(() -> layout.resolve(Optional.empty())).hasMessageContaining("3 images");
  }

  @Test
  void tagRefusesAManifestThatIsNotWrittenYet() throws IOException {
    OciLayout layout = OciLayout.openOrCreate(dir);
    byte[] raw = "{}".getBytes(StandardCharsets.UTF_8);
    String indexBefore = Files.readString(dir.resolve("index.json"));
    assertThatThrownBy(() -> layout.tag(Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(raw), 2), Optional.of("x")))
        .isInstanceOf(OciLayoutException.class).hasMessageContaining("write it first");
    assertThat(Files.readString(dir.resolve("index.json"))).isEqualTo(indexBefore);
  }

  @Test
  void openBlobVerifiesWhatIsOnDisk() throws IOException {
    OciLayout layout = OciLayout.openOrCreate(dir);
    byte[] content = "abc".getBytes(StandardCharsets.UTF_8);
    Descriptor descriptor = blob(content);
    layout.writeBlob(descriptor, new ByteArrayInputStream(content));
    Files.writeString(layout.blobPath(descriptor.digest()), "abd");
    assertThatThrownBy(() -> layout.readBlob(descriptor)).hasMessageContaining("content has digest");
  }

  @Test
  void aSelfVerifyingStreamThatFailsAtItsEndLeavesNoBlob() throws IOException {
    OciLayout from = OciLayout.openOrCreate(dir.resolve("from"));
    OciLayout to = OciLayout.openOrCreate(dir.resolve("to"));
    byte[] content = "abc".getBytes(StandardCharsets.UTF_8);
    Descriptor descriptor = blob(content);
    from.writeBlob(descriptor, content);
    Files.writeString(from.blobPath(descriptor.digest()), "abd"); // same size, other digest

    assertThatThrownBy(() -> to.writeVerifiedBlob(descriptor, from.openBlob(descriptor)))
        .hasMessageContaining("content has digest");
    assertThat(to.hasBlob(descriptor.digest())).isFalse();
    assertThat(filesUnder(dir.resolve("to"))).isEqualTo(2); // oci-layout and index.json

    Files.writeString(from.blobPath(descriptor.digest()), "abc");
    assertThat(to.writeVerifiedBlob(descriptor, from.openBlob(descriptor))).isEqualTo(3);
  }

  private static Descriptor manifest(OciLayout layout, String json) {
    byte[] raw = json.getBytes(StandardCharsets.UTF_8);
    Descriptor descriptor = Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256(raw), raw.length);
    layout.writeBlob(descriptor, raw);
    return descriptor;
  }
}

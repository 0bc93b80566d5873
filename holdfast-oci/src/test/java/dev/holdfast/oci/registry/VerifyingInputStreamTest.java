package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class VerifyingInputStreamTest {

  private static final byte[] CONTENT = "hello, registry".getBytes(StandardCharsets.UTF_8);
  private static final Digest DIGEST = Digest.sha256(CONTENT);

  private static InputStream verifying(byte[] actual, Digest expected, long size) {
    return new VerifyingInputStream(new ByteArrayInputStream(actual), expected, size, true, "r:1",
        "pull blob r:1/x@d");
  }

  @Test
  void passesMatchingContentThrough() throws IOException {
    try (InputStream in = verifying(CONTENT, DIGEST, CONTENT.length)) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
      assertThat(in.read()).isEqualTo(-1); // a second end is quiet
    }
    try (InputStream in = verifying(CONTENT, DIGEST, -1)) {
      assertThat(in.readAllBytes()).isEqualTo(CONTENT);
    }
  }

  @Test
  void wrongContentNamesBothDigests() {
    byte[] other = "hello, REGISTRY".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> verifying(other, DIGEST, CONTENT.length).readAllBytes())
        .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
          assertThat(e.expectedDigest()).isEqualTo(DIGEST);
          assertThat(e.actualDigest()).isEqualTo(Digest.sha256(other));
          assertThat(e.getMessage()).isEqualTo("pull blob r:1/x@d failed: expected digest " + DIGEST
              + " but got " + Digest.sha256(other) + " (15 bytes) [registry r:1]");
        });
  }

  @Test
  void shortContentNamesBothSizes() {
    byte[] shorter = "hello".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> verifying(shorter, DIGEST, CONTENT.length).readAllBytes())
        .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
          assertThat(e.expectedSize()).isEqualTo(15);
          assertThat(e.actualSize()).isEqualTo(5);
          assertThat(e.getMessage()).contains("expected 15 bytes with digest " + DIGEST)
              .contains("got 5 bytes with digest " + Digest.sha256(shorter));
        });
  }

  @Test
  void longContentFailsAsSoonAsItOverflows() throws IOException {
    byte[] longer = new byte[100_000];
    InputStream in = verifying(longer, DIGEST, CONTENT.length);
    byte[] buffer = new byte[10];
    assertThat(in.read(buffer)).isEqualTo(10);
    assertThatThrownBy(() -> in.read(buffer))
        .isInstanceOfSatisfying(DigestMismatchException.class, e -> {
          assertThat(e.actualSize()).isEqualTo(20);
          assertThat(e.actualDigest()).isNull();
          assertThat(e.getMessage()).contains("expected 15 bytes").contains("got more than 20 bytes");
        });
  }

  @Test
  void skipHashesTheSkippedBytes() {
    assertThatThrownBy(() -> {
      try (InputStream in = verifying(CONTENT, Digest.sha256(new byte[0]), CONTENT.length)) {
        in.skip(5);
        in.readAllBytes();
      }
    }).isInstanceOf(DigestMismatchException.class);
  }

  @Test
  void singleByteReadsWork() throws IOException {
    InputStream in = verifying(CONTENT, DIGEST, CONTENT.length);
    int count = 0;
    while (in.read() >= 0) {
      count++;
    }
    assertThat(count).isEqualTo(CONTENT.length);
  }
}

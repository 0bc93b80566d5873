package dev.holdfast.oci.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DigestTest {

  @Test
  void sha256OfKnownInput() {
    // sha256("") from FIPS 180-2 test vectors
    assertThat(Digest.sha256(new byte[0]).toString())
        .isEqualTo("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    Digest abc = Digest.sha256("abc".getBytes(StandardCharsets.US_ASCII));
    assertThat(abc.encoded()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assertThat(abc.matches(abc.newHasher().digest("abc".getBytes(StandardCharsets.US_ASCII)))).isTrue();
    assertThat(abc.matches(abc.newHasher().digest("abd".getBytes(StandardCharsets.US_ASCII)))).isFalse();
  }

  @Test
  void equalWhenAlgorithmAndValueAreEqual() {
    String hex = "ab".repeat(32);
    Digest digest = Digest.parse("sha256:" + hex);
    assertThat(digest).isEqualTo(new Digest("sha256", hex)).hasSameHashCodeAs(new Digest("sha256", hex));
    assertThat(digest).isNotEqualTo(Digest.parse("sha256:" + "cd".repeat(32)));
    assertThat(Digest.parse("sha512:" + hex + hex)).isNotEqualTo(Digest.parse("sha256:" + hex));
    assertThat(digest).isNotEqualTo("sha256:" + hex);
  }

  @Test
  void parseRoundTrips() {
    String text = "sha512:" + "ab".repeat(64);
    assertThat(Digest.parse(text).toString()).isEqualTo(text);
    assertThat(Digest.parse(text).newHasher().getAlgorithm()).isEqualTo("SHA-512");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      sha256:                  | written algorithm:hex
      :abc                     | written algorithm:hex
      sha256:xyz               | 64 lower-case hex
      sha512:abcd              | 128 lower-case hex
      sha384:abcd              | not supported
      SHA256:abcd              | malformed
      """)
  void rejects(String text, String problem) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining(problem);
  }
}

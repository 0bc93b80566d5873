package dev.holdfast.oci.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageReferenceTest {

  private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

  // ---- valid references: input | registry | repository | tag | digest (empty = absent) ----
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      nullValues = "",
      textBlock = """
      # familiar names
      nginx                                   | docker.io      | library/nginx        | latest  |
      nginx:1.27                              | docker.io      | library/nginx        | 1.27    |
      library/nginx                           | docker.io      | library/nginx        | latest  |
      bitnami/redis:7                         | docker.io      | bitnami/redis        | 7       |
      docker.io/nginx                         | docker.io      | library/nginx        | latest  |
      index.docker.io/nginx:1                 | docker.io      | library/nginx        | 1       |
      index.docker.io/org/app                 | docker.io      | org/app              | latest  |
      docker.io/nats:2.10.26-alpine           | docker.io      | library/nats         | 2.10.26-alpine |
      # other registries, ports, IPs
      ghcr.io/org/team/app:v1.2.3             | ghcr.io        | org/team/app         | v1.2.3  |
      localhost/app                           | localhost      | app                  | latest  |
      localhost:5000/app:dev                  | localhost:5000 | app                  | dev     |
      127.0.0.1:5000/a/b                      | 127.0.0.1:5000 | a/b                  | latest  |
      [::1]:5000/app:1                        | [::1]:5000     | app                  | 1       |
      [2001:db8::1]/app                       | [2001:db8::1]  | app                  | latest  |
      registry.example.com:443/x              | registry.example.com:443 | x          | latest  |
      Example.COM/app                         | Example.COM    | app                  | latest  |
      # path component separators
      quay.io/a.b/c_d/e__f/g-h/i---j          | quay.io        | a.b/c_d/e__f/g-h/i---j | latest |
      # tags: word characters, dots and dashes, up to 128
      app:_under                              | docker.io      | library/app          | _under  |
      app:V1.0-RC_2                           | docker.io      | library/app          | V1.0-RC_2 |
      # a single-component name that looks like host:port is a name with a tag, as Docker reads it
      localhost:5000                          | docker.io      | library/localhost    | 5000    |
      """)
  void parsesAndNormalises(String input, String registry, String repository, String tag, String digest) {
    ImageReference ref = ImageReference.parse(input);
    assertThat(ref.registry()).isEqualTo(registry);
    assertThat(ref.repository()).isEqualTo(repository);
    assertThat(ref.tag()).contains(tag);
    assertThat(ref.digest()).isEmpty();
    assertThat(ImageReference.parse(ref.toString())).isEqualTo(ref);
  }

  @Test
  void digestReferencesKeepNoDefaultTag() {
    ImageReference ref = ImageReference.parse("nginx@sha256:" + HEX);
    assertThat(ref.tag()).isEmpty();
    assertThat(ref.digest()).contains(Digest.parse("sha256:" + HEX));
    assertThat(ref.toString()).isEqualTo("docker.io/library/nginx@sha256:" + HEX);
    assertThat(ref.manifestReference()).isEqualTo("sha256:" + HEX);
  }

  @Test
  void tagAndDigestTogether() {
    ImageReference ref = ImageReference.parse("[::1]:5000/app:1.0@sha256:" + HEX);
    assertThat(ref.registry()).isEqualTo("[::1]:5000");
    assertThat(ref.tag()).contains("1.0");
    assertThat(ref.digest()).isPresent();
    assertThat(ref.toString()).isEqualTo("[::1]:5000/app:1.0@sha256:" + HEX);
    assertThat(ref.manifestReference()).startsWith("sha256:");
  }

  @Test
  void sha512Digests() {
    String hex512 = HEX + HEX;
    ImageReference ref = ImageReference.parse("ghcr.io/a/b@sha512:" + hex512);
    assertThat(ref.digest().orElseThrow().algorithm()).isEqualTo("sha512");
  }

  @Test
  void withersKeepTheRest() {
    ImageReference ref = ImageReference.parse("ghcr.io/org/app:1");
    Digest digest = Digest.parse("sha256:" + HEX);
    assertThat(ref.withDigest(digest).toString()).isEqualTo("ghcr.io/org/app:1@sha256:" + HEX);
    assertThat(ref.withDigest(digest).withoutTag().toString()).isEqualTo("ghcr.io/org/app@sha256:" + HEX);
    assertThat(ref.withDigest(digest).withoutDigest()).isEqualTo(ref);
    assertThat(ref.withTag("2").toString()).isEqualTo("ghcr.io/org/app:2");
    assertThat(ref.withoutTag()).as("a reference keeps a tag when it has no digest").isEqualTo(ref);
    assertThat(ref.withName("mirror.local:5000", "keep/ghcr.io/org/app").toString())
        .isEqualTo("mirror.local:5000/keep/ghcr.io/org/app:1");
    assertThat(ref.name()).isEqualTo("ghcr.io/org/app");
  }

  @Test
  void ofDefaultsToLatestAndValidates() {
    assertThat(ImageReference.of("r.io", "a/b", null, null).toString()).isEqualTo("r.io/a/b:latest");
    assertThatThrownBy(() -> ImageReference.of("r.io", "A/b", "t", null))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining("must be lower case");
  }

  // ---- invalid references: input | what the message must name ----
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock = """
      ''                                       | reference is empty
      Nginx                                    | must be lower case
      docker.io/Library/nginx                  | must be lower case
      ghcr.io/org//app                         | empty path component
      ghcr.io/org/app/                         | empty path component
      -app                                     | path component "-app" is invalid
      app_                                     | path component "app_" is invalid
      a___b                                    | path component "a___b" is invalid
      app:                                     | tag "" is invalid
      app:-x                                   | tag "-x" is invalid
      app:a/b                                  | registry port "a" is invalid
      app@sha256:abc                           | digest: digest value must be 64 lower-case hex characters
      app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef | with upper case
      app@md5:0123456789abcdef0123456789abcdef | not supported
      app@sha256                               | written algorithm:hex
      0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef | image ID, not a repository name
      -bad.example.com/app                     | registry host "-bad.example.com" is invalid
      host.example.com:99999/app               | registry port "99999" is invalid
      host.example.com:http/app                | registry port "http" is invalid
      [::1/app                                 | unclosed IPv6 bracket
      [::1]x/app                               | text after the IPv6 address
      'my app'                                 | whitespace
      ${IMAGE}                                 | template placeholder that was never filled in
      registry.example.com/app:$TAG            | template placeholder that was never filled in
      'ghcr.io/org/app:{{ .Values.tag }}'      | template placeholder that was never filled in
      ghcr.io/Org_/app                         | path component "Org_" is invalid
      """)
  void rejectsWithTheBadPartNamed(String input, String problem) {
    assertThatThrownBy(() -> ImageReference.parse(input))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining(problem)
        .hasMessageContaining("\"" + input + "\"");
  }

  @Test
  void tagLengthLimitIs128() {
    String tag128 = "t".repeat(128);
    assertThat(ImageReference.parse("app:" + tag128).tag()).contains(tag128);
    assertThatThrownBy(() -> ImageReference.parse("app:" + tag128 + "x"))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining("tag");
  }

  @Test
  void nameLengthLimitIs255AfterNormalisation() {
    // docker.io/ + 245 characters = 255
    String repo245 = "a".repeat(245);
    assertThat(ImageReference.parse("docker.io/" + "o/" + "a".repeat(243)).name()).hasSize(255);
    assertThatThrownBy(() -> ImageReference.parse("o/" + repo245))
        .isInstanceOf(InvalidReferenceException.class)
        .hasMessageContaining("longer than 255");
  }

  @Test
  void nullIsRejectedNotCrashed() {
    assertThatThrownBy(() -> ImageReference.parse(null)).isInstanceOf(InvalidReferenceException.class);
  }
}

package dev.holdfast.oci.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialTest {

  @Test
  void toStringNeverShowsTheSecret() {
    assertThat(new Credential.Basic("alice", "s3cr3t").toString()).contains("alice").doesNotContain("s3cr3t");
    assertThat(new Credential.IdentityToken("s3cr3t").toString()).doesNotContain("s3cr3t");
    assertThat(new Credential.RegistryToken("s3cr3t").toString()).doesNotContain("s3cr3t");
    assertThat(Optional.of(new Credential.Basic("a", "s3cr3t")).toString()).doesNotContain("s3cr3t");
  }

  @Test
  void equalityStillUsesTheSecret() {
    assertThat(new Credential.Basic("a", "1")).isEqualTo(new Credential.Basic("a", "1"))
        .isNotEqualTo(new Credential.Basic("a", "2"));
  }

  @Test
  void anonymousAndChain() {
    CredentialProvider none = CredentialProvider.anonymous();
    CredentialProvider onlyQuay = (registry, repository) -> registry.equals("quay.io")
        ? Optional.of(new Credential.Basic("q", "1")) : Optional.empty();
    CredentialProvider everything = (registry, repository) -> Optional.of(new Credential.Basic("all", "2"));

    assertThat(none.credentialFor("docker.io", "library/nginx")).isEmpty();
    CredentialProvider chain = CredentialProvider.chain(none, onlyQuay, everything);
    assertThat(chain.credentialFor("quay.io", "a/b")).contains(new Credential.Basic("q", "1"));
    assertThat(chain.credentialFor("docker.io", "a/b")).contains(new Credential.Basic("all", "2"));
    assertThat(CredentialProvider.chain().credentialFor("docker.io", "a/b")).isEmpty();
  }
}

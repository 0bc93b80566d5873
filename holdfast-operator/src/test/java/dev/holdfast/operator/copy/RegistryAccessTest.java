package dev.holdfast.operator.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.auth.PullSecretKeyring;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.policy.RegistryCredentials;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which credentials a job's registry client gives each registry. */
class RegistryAccessTest {
  private static final Credential.Basic PUSH = new Credential.Basic("pusher", "push-secret");
  private static final Credential.Basic PULL = new Credential.Basic("puller", "pull-secret");
  private static final PullSecretKeyring KEYRING = PullSecretKeyring.empty().withDockerConfigJson("secret a/regcred",
      ("{\"auths\":{\"ghcr.io\":{\"auth\":\"" + Base64.getEncoder().encodeToString("reader:read-secret"
          .getBytes(StandardCharsets.UTF_8)) + "\"}}}").getBytes(StandardCharsets.UTF_8));

  private static CredentialProvider provider(String destination, RegistryCredentials credentials) {
    Policy policy = Policy.of("p", ImagePolicySpec.to(ImagePolicySpec.Destination.of(destination, "myorg")), 1);
    return RegistryAccess.credentialsFor(policy, credentials, KEYRING);
  }

  @ParameterizedTest(name = "destination {0}, asked for {1}")
  @CsvSource({
      "index.docker.io, docker.io",
      "docker.io, docker.io",
      "copies.example.com, copies.example.com",
      "Copies.Example.com, copies.example.com",
  })
  void theDestinationGetsThePolicysOwnPushCredentialsHoweverTheSpecSpellsIt(String destination, String asked) {
    assertThat(provider(destination, new RegistryCredentials(Optional.of(PUSH), Optional.of(PULL)))
        .credentialFor(asked, "myorg/app")).contains(PUSH);
  }

  @Test
  void withoutPushCredentialsTheDestinationGetsThePullOnes() {
    assertThat(provider("copies.example.com", new RegistryCredentials(Optional.empty(), Optional.of(PULL)))
        .credentialFor("copies.example.com", "myorg/app")).contains(PULL);
  }

  @Test
  void everyOtherRegistryGetsThePullSecretsCredentialsAndNeverThePolicys() {
    CredentialProvider provider = provider("copies.example.com",
        new RegistryCredentials(Optional.of(PUSH), Optional.of(PULL)));

    assertThat(provider.credentialFor("ghcr.io", "acme/app")).contains(new Credential.Basic("reader", "read-secret"));
    assertThat(provider.credentialFor("quay.io", "acme/app")).isEmpty();
    assertThat(provider.credentialFor("copies.example.com:5000", "myorg/app")).isEmpty();
  }
}

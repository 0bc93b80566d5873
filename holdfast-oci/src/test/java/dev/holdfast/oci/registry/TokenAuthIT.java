package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.auth.Credential;
import dev.holdfast.oci.auth.CredentialProvider;
import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.MutableClock;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.TokenRequest;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Bearer token flow against a real registry and the harness's recording token server. */
class TokenAuthIT {

  @RegisterExtension static final RegistryExtension registry = RegistryExtension.token();
  @RegisterExtension static final RegistryExtension anonymousPull = RegistryExtension.tokenWithAnonymousPull();

  @TempDir static Path work;
  static WrittenImage image;

  ImageReference ref;

  @BeforeAll
  static void seed() {
    image = SyntheticImage.builder().seed(41).layers(2).layerSize(8_000).build()
        .writeTo(work.resolve("layout"), "token");
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    skopeo.push(image, registry.image("auth/app:v1"));
    skopeo.push(image, anonymousPull.image("open/app:v1"));
  }

  @BeforeEach
  void reset() {
    registry.tokenServer().clearRequests();
    anonymousPull.tokenServer().clearRequests();
    ref = TestClients.ref(registry, "auth/app:v1");
  }

  private static List<TokenRequest> tokenRequests(RegistryExtension r) {
    return r.tokenServer().requests();
  }

  @Test
  void oneTokenPerScopeIsFetchedWithBasicCredentialsAndReused() throws IOException {
    RegistryClient client = TestClients.client(registry);
    ImageManifest manifest = (ImageManifest) client.getManifest(ref);
    for (Descriptor layer : manifest.layers()) {
      try (InputStream in = client.openBlob(ref, layer)) {
        in.readAllBytes();
      }
    }
    client.headManifest(ref);
    assertThat(tokenRequests(registry)).singleElement().satisfies(request -> {
      assertThat(request.method()).isEqualTo("GET");
      assertThat(request.grantType()).isEqualTo("basic");
      assertThat(request.username()).contains(registry.credentials().username());
      assertThat(request.hasScope("repository:auth/app", "pull")).isTrue();
      assertThat(request.granted()).isTrue();
    });
  }

  @Test
  void pushAsksForPullAndPushAndMountAlsoForTheSourceRepository() {
    RegistryClient client = TestClients.client(registry);
    byte[] content = "pushed with a token".getBytes(StandardCharsets.UTF_8);
    Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(content), content.length);
    client.pushBlob(TestClients.ref(registry, "auth/pushed:v1"), blob, new ByteArrayInputStream(content));
    assertThat(tokenRequests(registry)).anySatisfy(r -> assertThat(r.hasScope("repository:auth/pushed", "pull", "push")).isTrue());

    registry.tokenServer().clearRequests();
    assertThat(client.mountBlob(TestClients.ref(registry, "auth/mounted:v1"), blob.digest(), "auth/pushed")).isTrue();
    assertThat(tokenRequests(registry)).singleElement().satisfies(r -> {
      assertThat(r.hasScope("repository:auth/mounted", "pull", "push")).isTrue();
      assertThat(r.hasScope("repository:auth/pushed", "pull")).isTrue();
    });
  }

  @Test
  void identityTokenIsExchangedWithAnOAuth2Post() throws Exception {
    // a refresh token, as `docker login` stores it in config.json ("identitytoken")
    String basic = Base64.getEncoder().encodeToString(
        registry.credentials().colonSeparated().getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> login = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(java.net.URI.create(registry.tokenServer().realm() + "?service=holdfast-test-registry"))
            .header("Authorization", "Basic " + basic).build(),
        HttpResponse.BodyHandlers.ofString());
    String refreshToken = new ObjectMapper().readTree(login.body()).get("refresh_token").asText();
    registry.tokenServer().clearRequests();

    RegistryClient client = TestClients.builder(registry)
        .credentials((host, repository) -> Optional.of(new Credential.IdentityToken(refreshToken)))
        .build();
    assertThat(client.getManifest(ref).digest().toString()).isEqualTo(image.digest());
    assertThat(tokenRequests(registry)).singleElement().satisfies(r -> {
      assertThat(r.method()).isEqualTo("POST");
      assertThat(r.grantType()).isEqualTo("refresh_token");
      assertThat(r.hasScope("repository:auth/app", "pull")).isTrue();
      assertThat(r.granted()).isTrue();
    });

    RegistryClient revoked = TestClients.builder(registry)
        .credentials((host, repository) -> Optional.of(new Credential.IdentityToken("not-" + refreshToken)))
        .build();
    assertThatThrownBy(() -> revoked.getManifest(ref))
        .isInstanceOf(UnauthorizedException.class)
        .hasMessageContaining("refused the identity token")
        .hasMessageNotContaining(refreshToken);
  }

  @Test
  void expiredTokensAreFetchedAgain() {
    MutableClock clock = new MutableClock();
    RegistryClient client = TestClients.builder(registry).clock(clock).build();
    client.headManifest(ref);
    clock.advance(Duration.ofSeconds(200)); // the server's tokens live 300 s
    client.headManifest(ref);
    assertThat(tokenRequests(registry)).hasSize(1);
    clock.advance(Duration.ofSeconds(100)); // within the safety margin before expiry
    client.headManifest(ref);
    assertThat(tokenRequests(registry)).hasSize(2);
  }

  @Test
  void anonymousPullGetsAnAnonymousTokenAndPushIsRefused() {
    RegistryClient client = TestClients.builder(anonymousPull).credentials(CredentialProvider.anonymous()).build();
    ImageReference open = TestClients.ref(anonymousPull, "open/app:v1");
    assertThat(client.getManifest(open).digest().toString()).isEqualTo(image.digest());
    assertThat(tokenRequests(anonymousPull)).first().satisfies(r -> {
      assertThat(r.grantType()).isEqualTo("anonymous");
      assertThat(r.credentialsSent()).isFalse();
    });
    byte[] content = "anonymous push".getBytes(StandardCharsets.UTF_8);
    Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(content), content.length);
    assertThatThrownBy(() -> client.pushBlob(open, blob, new ByteArrayInputStream(content)))
        .isInstanceOfAny(UnauthorizedException.class, DeniedException.class)
        .hasMessageContaining("push blob " + anonymousPull.hostPort() + "/open/app");
  }
}

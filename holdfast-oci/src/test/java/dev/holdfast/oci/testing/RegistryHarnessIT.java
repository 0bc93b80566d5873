package dev.holdfast.oci.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The harness against the real registry and skopeo: every mode seeds single- and multi-arch
 * images that read back at the digests the builder computed, and refuses what it must refuse.
 */
class RegistryHarnessIT {

  @RegisterExtension static final RegistryExtension plain = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension basic = RegistryExtension.basicAuth();
  @RegisterExtension static final RegistryExtension token = RegistryExtension.token();
  @RegisterExtension static final RegistryExtension tokenAnon =
      RegistryExtension.tokenWithAnonymousPull();
  @RegisterExtension static final RegistryExtension basicOverHttp =
      RegistryExtension.builder().mode(RegistryMode.BASIC_AUTH).tls(false).build();
  @RegisterExtension static final RegistryExtension tokenOverTls =
      RegistryExtension.builder().mode(RegistryMode.TOKEN).tls(true).build();
  @RegisterExtension static final RegistryExtension untouched = RegistryExtension.plain();

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage ociSingle;
  static WrittenImage ociMulti;
  static WrittenImage dockerSingle;
  static WrittenImage dockerMulti;

  @BeforeAll
  static void images() {
    Path layout = work.resolve("layout");
    SyntheticImage.Builder small = SyntheticImage.builder().layers(2).layerSize(20_000)
        .baseLayers(1).baseLayerSize(30_000).baseSeed(99);
    ociSingle = small.seed(1).format(Format.OCI).platforms("linux/amd64").build()
        .writeTo(layout, "oci-single");
    ociMulti = small.seed(2).format(Format.OCI).multiArch().build().writeTo(layout, "oci-multi");
    dockerSingle = small.seed(3).format(Format.DOCKER).platforms("linux/amd64").build()
        .writeTo(layout, "docker-single");
    dockerMulti = small.seed(4).format(Format.DOCKER).multiArch().build()
        .writeTo(layout, "docker-multi");
    skopeo = Skopeo.create(work.resolve("skopeo"));
  }

  // ---- seeding, per mode ------------------------------------------------------------------------

  @Test
  void plainHttpHoldsOciSingleAndDockerManifestListAtTheBuilderDigests() throws IOException {
    seedAndVerify(plain, ociSingle, "demo/oci-single:v1");
    seedAndVerify(plain, dockerMulti, "demo/docker-multi:v1");
    JsonNode inspect = skopeo.inspect(plain.image("demo/oci-single:v1"));
    assertThat(inspect.path("Digest").asText()).isEqualTo(ociSingle.digest());
    assertThat(inspect.path("Layers")).extracting(JsonNode::asText)
        .containsExactlyElementsOf(ociSingle.layers().stream().map(Descriptor::digest).toList());
    assertThat(plain.scheme()).isEqualTo("http");
    assertThat(plain.baseUri().toString()).isEqualTo("http://" + plain.hostPort());
  }

  @Test
  void tlsHoldsDockerSingleAndOciIndexAndTrustsOnlyTheTestCa() throws Exception {
    seedAndVerify(tls, dockerSingle, "demo/docker-single:v1");
    seedAndVerify(tls, ociMulti, "demo/oci-multi:v1");

    HttpRequest v2 = HttpRequest.newBuilder(tls.baseUri().resolve("/v2/")).build();
    assertThat(tls.httpClient().send(v2, HttpResponse.BodyHandlers.discarding()).statusCode())
        .isEqualTo(200);
    assertThatThrownBy(() -> HttpClient.newHttpClient().send(v2, HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(SSLHandshakeException.class);
    assertThat(tls.ca().caPem()).startsWith("-----BEGIN CERTIFICATE-----");
    try (var files = Files.list(tls.ca().certDir())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("ca.crt");
    }
  }

  @Test
  void basicAuthHoldsBothFormatsAndRefusesWrongOrMissingCredentials() throws IOException {
    seedAndVerify(basic, ociMulti, "demo/oci-multi:v1");
    seedAndVerify(basic, dockerSingle, "demo/docker-single:v1");
    RegistryImage image = basic.image("demo/oci-multi:v1");

    Skopeo.Result wrong = skopeo.tryInspectRaw(image.as(basic.credentials().withPassword("wrong")));
    assertThat(wrong.succeeded()).isFalse();
    assertThat(wrong.stderr()).containsIgnoringCase("unauthorized");
    Skopeo.Result anonymous = skopeo.tryInspectRaw(image.anonymous());
    assertThat(anonymous.succeeded()).isFalse();
    assertThat(anonymous.stderr()).containsIgnoringCase("unauthorized");
    assertThat(skopeo.tryPush(ociSingle, basic.image("demo/anon:v1").anonymous()).succeeded())
        .isFalse();
    assertThat(basic.isTls()).isTrue();
  }

  @Test
  void basicAuthAlsoWorksOverPlainHttpWithRegistryAndSkopeo() throws IOException {
    seedAndVerify(basicOverHttp, dockerSingle, "demo/docker-single:v1");
    assertThat(basicOverHttp.scheme()).isEqualTo("http");
    assertThat(skopeo.tryInspectRaw(basicOverHttp.image("demo/docker-single:v1").anonymous())
        .succeeded()).isFalse();
  }

  @Test
  void tokenModeIssuesScopedTokensAndRefusesAnonymousAndWrongCredentials() throws IOException {
    TokenServer server = token.tokenServer();
    server.clearRequests();
    seedAndVerify(token, ociSingle, "demo/app:v1");
    assertThat(server.requests())
        .anySatisfy(r -> {
          assertThat(r.hasScope("repository:demo/app", "push", "pull")).isTrue();
          assertThat(r.credentialsSent()).isTrue();
          assertThat(r.username()).contains(token.credentials().username());
          assertThat(r.granted()).isTrue();
        })
        .noneSatisfy(r -> assertThat(r.toString()).contains(token.credentials().password()));
    seedAndVerify(token, dockerMulti, "demo/multi:v1");

    server.clearRequests();
    Skopeo.Result anonymous = skopeo.tryInspectRaw(token.image("demo/app:v1").anonymous());
    assertThat(anonymous.succeeded()).isFalse();
    assertThat(server.requests()).isNotEmpty().allSatisfy(r -> {
      assertThat(r.grantType()).isEqualTo("anonymous");
      assertThat(r.credentialsSent()).isFalse();
      assertThat(r.status()).isEqualTo(401);
    });

    server.clearRequests();
    Skopeo.Result wrong = skopeo.tryInspectRaw(
        token.image("demo/app:v1").as(token.credentials().withPassword("wrong")));
    assertThat(wrong.succeeded()).isFalse();
    assertThat(server.requests()).isNotEmpty()
        .allSatisfy(r -> assertThat(r.status()).isEqualTo(401));
  }

  @Test
  void tokenModeWithAnonymousPullLetsAnonymousReadButNotPush() throws IOException {
    seedAndVerify(tokenAnon, ociMulti, "demo/multi:v1");
    TokenServer server = tokenAnon.tokenServer();
    server.clearRequests();

    assertThat(skopeo.digestOf(tokenAnon.image("demo/multi:v1").anonymous()))
        .isEqualTo(ociMulti.digest());
    assertThat(server.requests()).anySatisfy(r -> {
      assertThat(r.grantType()).isEqualTo("anonymous");
      assertThat(r.hasScope("repository:demo/multi", "pull")).isTrue();
      assertThat(r.granted()).isTrue();
    });

    Skopeo.Result push = skopeo.tryPush(ociSingle, tokenAnon.image("demo/anon:v1").anonymous());
    assertThat(push.succeeded()).isFalse();
    assertThat(skopeo.tryInspectRaw(tokenAnon.image("demo/anon:v1")).succeeded()).isFalse();
  }

  @Test
  void tokenModeOverTlsHoldsADockerManifestList() throws IOException {
    seedAndVerify(tokenOverTls, dockerMulti, "demo/multi:v1");
    assertThat(tokenOverTls.scheme()).isEqualTo("https");
    assertThat(tokenOverTls.tokenServer().requests()).anyMatch(TokenRequest::granted);
  }

  @Test
  void tokenServerAnswersTheOauth2PasswordAndRefreshGrants() throws Exception {
    TokenServer server = token.tokenServer();
    server.clearRequests();
    HttpClient http = HttpClient.newHttpClient();
    String form = "grant_type=password&service=" + server.service() + "&client_id=test"
        + "&scope=repository%3Ademo%2Fapp%3Apull&username=" + token.credentials().username()
        + "&password=" + token.credentials().password();
    JsonNode first = post(http, server, form, 200);
    assertThat(first.path("access_token").asText()).contains(".");
    String refresh = first.path("refresh_token").asText();
    assertThat(refresh).isNotEmpty();

    post(http, server, "grant_type=refresh_token&service=" + server.service()
        + "&refresh_token=" + refresh + "&scope=repository%3Ademo%2Fapp%3Apull", 200);
    post(http, server, "grant_type=refresh_token&refresh_token=forged", 401);
    post(http, server, "grant_type=password&username=" + token.credentials().username()
        + "&password=wrong", 401);

    assertThat(server.requests()).extracting(TokenRequest::grantType, TokenRequest::status)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("password", 200),
            org.assertj.core.groups.Tuple.tuple("refresh_token", 200),
            org.assertj.core.groups.Tuple.tuple("refresh_token", 401),
            org.assertj.core.groups.Tuple.tuple("password", 401));
    assertThat(server.requests().get(0).hasScope("repository:demo/app", "pull")).isTrue();
  }

  // ---- lifecycle and request log ----------------------------------------------------------------

  @Test
  void restartKeepsPortAndContent() throws Exception {
    seedAndVerify(plain, ociMulti, "demo/restart:v1");
    int port = plain.port();
    plain.stop();
    assertThat(plain.isRunning()).isFalse();
    HttpRequest v2 = HttpRequest.newBuilder(plain.baseUri().resolve("/v2/")).build();
    assertThatThrownBy(() -> plain.httpClient().send(v2, HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(ConnectException.class);

    plain.start();
    assertThat(plain.isRunning()).isTrue();
    assertThat(plain.port()).isEqualTo(port);
    assertThat(skopeo.digestOf(plain.image("demo/restart:v1"))).isEqualTo(ociMulti.digest());

    plain.kill(); // a crash, not a clean stop: content survives too
    assertThat(plain.isRunning()).isFalse();
    plain.start();
    assertThat(skopeo.digestOf(plain.image("demo/restart:v1"))).isEqualTo(ociMulti.digest());
  }

  @Test
  void requestLogShowsUploadsMountsAndUntouchedRegistries() {
    plain.clearRequests();
    skopeo.push(ociSingle, plain.image("log/source:v1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> plain.requests().stream()
        .anyMatch(r -> r.isManifestPut() && r.repository().orElse("").equals("log/source")));
    assertThat(plain.requests()).anyMatch(r -> r.isBlobUpload()
        && r.repository().orElse("").equals("log/source"));

    plain.clearRequests();
    skopeo.copy(plain.image("log/source:v1"), plain.image("log/target:v1"));
    await().atMost(Duration.ofSeconds(5)).until(() -> plain.requests().stream()
        .anyMatch(r -> r.isManifestPut() && r.repository().orElse("").equals("log/target")));
    List<RegistryRequest> target = plain.requests().stream()
        .filter(r -> r.repository().orElse("").equals("log/target")).toList();
    // skopeo mounts every layer it has seen in the source repository (1.9 uploads the small
    // config blob instead of mounting it; newer versions may mount it too)
    String config = ociSingle.manifests().get(0).config().digest().replace(":", "%3A");
    assertThat(target).as("requests for log/target").filteredOn(RegistryRequest::isMount)
        .extracting(r -> r.mountedDigest().orElseThrow())
        .containsAll(ociSingle.layers().stream().map(Descriptor::digest).toList());
    assertThat(target).filteredOn(r -> r.isBlobUpload() && r.method().equals("PUT"))
        .allSatisfy(r -> assertThat(r.path()).endsWith("digest=" + config));

    assertThat(untouched.requests()).as("requests to a registry no test used").isEmpty();
  }

  @Test
  void uncompressedLayersArePushedUnchanged() throws IOException {
    WrittenImage raw = SyntheticImage.builder().seed(11).layerSize(10_000)
        .compression(SyntheticImage.Compression.NONE).build().writeTo(work.resolve("raw"), "raw");
    seedAndVerify(plain, raw, "demo/uncompressed:v1");
  }

  @Test
  void skopeoKeepsItsBlobInfoCacheInItsOwnDirectory() {
    skopeo.push(ociSingle, plain.image("cache/probe:v1"));
    assertThat(work.resolve("skopeo/data/containers/cache/blob-info-cache-v1.boltdb")).exists();
  }

  @Test
  void startupFailureReportsTheRegistryLog(@TempDir Path dir) throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RegistryProcess process = new RegistryProcess(new RegistryProcess.Settings(
          dir, null, null, null, Duration.ofSeconds(10)));
      assertThatThrownBy(() -> process.startOn(taken.getLocalPort()))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("exited")
          .hasMessageContaining("address already in use");
      assertThat(process.isRunning()).isFalse();
    }
  }

  // ---- helpers ----------------------------------------------------------------------------------

  /** Pushes with skopeo, then reads the raw manifest back: its sha256 is the builder's digest. */
  private static void seedAndVerify(RegistryExtension registry, WrittenImage image, String ref)
      throws IOException {
    RegistryImage target = registry.image(ref);
    skopeo.push(image, target);
    byte[] raw = skopeo.inspectRaw(target);
    assertThat(sha256(raw)).as("digest of %s in %s", image.tag(), registry).isEqualTo(image.digest());
    assertThat(raw).isEqualTo(image.topBytes());
    assertThat(JSON.readTree(raw).path("mediaType").asText()).isEqualTo(image.mediaType());
    for (WrittenImage.PlatformManifest m : image.manifests()) {
      assertThat(sha256(skopeo.inspectRaw(target.atDigest(m.manifest().digest()))))
          .isEqualTo(m.manifest().digest());
    }
  }

  private static JsonNode post(HttpClient http, TokenServer server, String form, int status)
      throws Exception {
    HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(server.realm())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(r.statusCode()).as("POST %s", form.replaceAll("password=[^&]*", "password=***"))
        .isEqualTo(status);
    return JSON.readTree(r.body());
  }

  private static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(LayerGenerator.sha256().digest(bytes));
  }
}

package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static dev.holdfast.oci.copy.Registries.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.holdfast.oci.auth.DockerConfig;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import dev.holdfast.oci.tls.PemBundle;
import dev.holdfast.oci.tls.TrustConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies pulled through mirrors, against real registries: a mirror that is down, one that lacks the
 * image, one over TLS whose CA comes from a bundle with a broken block, per-mirror credentials, and
 * a blocked source that must receive no request at all (checked in its access log).
 */
class MirrorPullThroughIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension empty = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension basic = RegistryExtension.basicAuth();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage image;
  static WrittenImage other;
  static String down;
  static Path tlsBundle;
  static Path basicBundle;
  static Path authFile;

  @BeforeAll
  static void seed() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder small = SyntheticImage.builder().layers(2).layerSize(20_000);
    image = small.seed(11).build().writeTo(work.resolve("layout"), "app");
    other = small.seed(12).build().writeTo(work.resolve("layout"), "other");
    skopeo.push(image, source.image("src/app:v1"));
    skopeo.push(image, tls.image("m3/app:v1"));
    skopeo.push(image, basic.image("private/app:v1"));
    skopeo.push(other, empty.image("m2/other:v1")); // the mirror is up, but lacks src/app
    skopeo.push(other, source.image("src/other:v1"));
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      down = "127.0.0.1:" + socket.getLocalPort(); // nothing listens there once closed
    }
    tlsBundle = brokenBlockPlus(tls.ca().caPem(), "tls-ca.pem");
    basicBundle = brokenBlockPlus(basic.ca().caPem(), "basic-ca.pem");
    String auth = Base64.getEncoder().encodeToString(
        basic.credentials().colonSeparated().getBytes(StandardCharsets.UTF_8));
    authFile = Files.writeString(work.resolve("auth.json"),
        "{\"auths\":{\"" + basic.hostPort() + "\":{\"auth\":\"" + auth + "\"}}}");
  }

  /** A PEM bundle whose first block is a broken certificate, followed by the valid CA. */
  private static Path brokenBlockPlus(String caPem, String name) throws IOException {
    String broken = "-----BEGIN CERTIFICATE-----\nTm90IGEgY2VydGlmaWNhdGUgYXQgYWxs\n-----END CERTIFICATE-----\n";
    return Files.writeString(work.resolve(name), broken + caPem);
  }

  @BeforeEach
  void forget() {
    for (RegistryExtension registry : List.of(source, empty, tls, basic, destination)) {
      registry.clearRequests();
    }
  }

  private static MirrorRules redirects(String name, String yaml) throws IOException {
    return MirrorConfigLoader.load(Files.writeString(work.resolve(name), yaml));
  }

  /** The three-mirror chain for {@code <source>/src}: down, empty, TLS (CA from the broken bundle). */
  private static String chain(String pullFromMirror) {
    String src = source.hostPort() + "/src";
    return "redirects:\n"
        + "- {src: " + src + ", to: " + down + "/m1, pullFromMirror: " + pullFromMirror + "}\n"
        + "- {src: " + src + ", to: " + empty.hostPort() + "/m2, pullFromMirror: " + pullFromMirror + "}\n"
        + "- {src: " + src + ", to: " + tls.hostPort() + "/m3, pullFromMirror: " + pullFromMirror
        + ", caBundle: " + tlsBundle + "}\n"
        + "- {src: " + src + ", blocked: true}\n";
  }

  /** A client that trusts only what the mirrors contribute, with credentials from the authfile. */
  private static RegistryClient client(MirroredSources mirrored, List<ImageReference> images,
      List<PemBundle> bundlesRead) {
    TrustConfig.Builder trust = TrustConfig.builder();
    bundlesRead.addAll(mirrored.addTrust(trust, images));
    return RegistryClient.builder().credentials(DockerConfig.read(authFile)).trust(trust.build()).build();
  }

  private static CopyResult.Copied copy(MirroredSources mirrored, ImageReference image, ImageLocation target,
      List<PemBundle> bundlesRead) {
    CopyRequest request = mirrored.request(image, target, CopyOptions.defaults());
    try (CopyEngine engine = CopyEngine.builder(client(mirrored, List.of(image), bundlesRead)).build()) {
      CopyResult result = engine.copy(request);
      assertThat(result).as("%s", result).isInstanceOf(CopyResult.Copied.class);
      return (CopyResult.Copied) result;
    }
  }

  private static void assertNotFoundAtEmptyMirror(String path) {
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(empty.requests())
        .as("the second mirror was asked and said not found")
        .anyMatch(r -> r.path().equals(path) && r.status() == 404));
  }

  private static void assertNeverContacted(RegistryExtension registry) {
    List<RegistryRequest> requests = registry.requests();
    assertThat(requests).as("requests to %s", registry).isEmpty();
  }

  @Test
  void firstMirrorDownSecondLacksTheImageThirdServesItOverTlsAndTheBlockedSourceSeesNothing() throws IOException {
    MirroredSources mirrored = MirroredSources.of(redirects("chain.yaml", chain("all")));
    ImageReference named = ref(source, "src/app:v1");
    List<PemBundle> bundles = new ArrayList<>();

    CopyResult.Copied copied = copy(mirrored, named, at(destination, "copies/app:v1"), bundles);

    assertThat(copied.servedBy()).contains(at(tls, "m3/app:v1"));
    assertThat(copied.request().source()).isEqualTo(new ImageLocation.Registry(named));
    assertThat(copied.request().sources()).containsExactly(
        new ImageLocation.Registry(ImageReference.parse(down + "/m1/app:v1")), at(empty, "m2/app:v1"),
        at(tls, "m3/app:v1"));
    assertThat(bundles).singleElement().satisfies(b -> {
      assertThat(b.skipped()).as("the broken block is reported").hasSize(1);
      assertThat(b.warnings()).singleElement().asString().contains(tlsBundle.toString(), "block 1");
      assertThat(b.certificates()).hasSize(1);
    });
    assertNotFoundAtEmptyMirror("/v2/m2/app/manifests/v1");
    assertThat(tls.requests()).anyMatch(r -> r.path().startsWith("/v2/m3/app/manifests/") && r.status() == 200);
    assertNeverContacted(source); // before skopeo reads the source below
    byte[] copiedManifest = skopeo.inspectRaw(destination.image("copies/app:v1"));
    assertThat(copiedManifest).isEqualTo(skopeo.inspectRaw(source.image("src/app:v1")));
    assertThat(copied.digest()).hasToString(skopeo.digestOf(source.image("src/app:v1")));
  }

  @Test
  void aDigestReferenceUsesDigestOnlyMirrors() throws IOException {
    MirroredSources mirrored = MirroredSources.of(redirects("digest-only.yaml", chain("digest-only")));
    ImageReference named = ref(source, "src/app@" + image.digest());

    CopyResult.Copied copied = copy(mirrored, named, at(destination, "by-digest/app:v1"), new ArrayList<>());

    assertThat(copied.servedBy()).contains(at(tls, "m3/app@" + image.digest()));
    assertNotFoundAtEmptyMirror("/v2/m2/app/manifests/" + image.digest());
    assertNeverContacted(source);
    assertThat(skopeo.digestOf(destination.image("by-digest/app:v1"))).isEqualTo(image.digest());
  }

  @Test
  void aTagReferenceSkipsDigestOnlyMirrorsAndUsesTheSourceWhenItIsNotBlocked() throws IOException {
    String src = source.hostPort() + "/src";
    MirroredSources mirrored = MirroredSources.of(redirects("digest-only-open.yaml", "redirects:\n"
        + "- {src: " + src + ", to: " + tls.hostPort() + "/m3, pullFromMirror: digest-only, caBundle: " + tlsBundle + "}\n"));
    ImageReference named = ref(source, "src/app:v1");

    CopyResult.Copied copied = copy(mirrored, named, at(destination, "tagged/app:v1"), new ArrayList<>());

    assertThat(copied.request().sources()).containsExactly(new ImageLocation.Registry(named));
    assertThat(copied.servedBy()).contains(new ImageLocation.Registry(named));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(source.requests())
        .anyMatch(r -> r.path().equals("/v2/src/app/manifests/v1")));
    assertNeverContacted(tls);
  }

  @Test
  void aBlockedTagReferenceWithOnlyDigestOnlyMirrorsFailsBeforeAnyRequest() throws IOException {
    MirroredSources mirrored = MirroredSources.of(redirects("digest-only-blocked.yaml", chain("digest-only")));
    ImageReference named = ref(source, "src/app:v1");

    assertThatThrownBy(() -> mirrored.request(named, at(destination, "never/app:v1"), CopyOptions.defaults()))
        .isInstanceOf(CopyException.SourceBlocked.class)
        .hasMessageContaining("mirror rule " + source.hostPort() + "/src")
        .hasMessageContaining("blocks the source")
        .hasMessageContaining("digest-only, and this is a tag reference")
        .hasMessageContaining("pull it by digest");
    for (RegistryExtension registry : List.of(source, empty, tls, destination)) {
      assertNeverContacted(registry);
    }
  }

  @Test
  void eachMirrorUsesItsOwnCredentialsAndCa() throws IOException {
    String src = source.hostPort() + "/src";
    MirroredSources mirrored = MirroredSources.of(redirects("credentials.yaml", "redirects:\n"
        + "- {src: " + src + "/app, to: " + basic.hostPort() + "/private/app, caBundle: " + basicBundle + "}\n"
        + "- {src: " + src + "/app, blocked: true}\n"
        + "- {src: " + src + "/other, to: " + empty.hostPort() + "/m2/other}\n"
        + "- {src: " + src + "/other, blocked: true}\n"));
    ImageReference app = ref(source, "src/app:v1");
    ImageReference otherRef = ref(source, "src/other:v1");
    TrustConfig.Builder trust = TrustConfig.builder();
    mirrored.addTrust(trust, List.of(app, otherRef));
    RegistryClient client = RegistryClient.builder().credentials(DockerConfig.read(authFile)).trust(trust.build()).build();

    List<CopyResult> results;
    try (CopyEngine engine = CopyEngine.builder(client).build()) {
      results = engine.copyAll(List.of(
          mirrored.request(app, at(destination, "creds/app:v1"), CopyOptions.defaults()),
          mirrored.request(otherRef, at(destination, "creds/other:v1"), CopyOptions.defaults())));
    }

    assertThat(results).allSatisfy(r -> assertThat(r).as("%s", r).isInstanceOf(CopyResult.Copied.class));
    assertThat(results.get(0).servedBy()).contains(at(basic, "private/app:v1"));
    assertThat(results.get(1).servedBy()).contains(at(empty, "m2/other:v1"));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(basic.requests())
        .as("the basic-auth mirror served the manifest to the authenticated client")
        .anyMatch(r -> r.path().startsWith("/v2/private/app/manifests/") && r.status() == 200));
    assertThat(skopeo.digestOf(destination.image("creds/app:v1"))).isEqualTo(image.digest());
    assertThat(skopeo.digestOf(destination.image("creds/other:v1"))).isEqualTo(other.digest());
    assertNeverContacted(source);
  }

  @Test
  void anImageDigestMirrorSetWithNeverContactSourceServesFromTheThirdMirror() throws IOException {
    Path idms = Files.writeString(work.resolve("idms.yaml"), """
        apiVersion: config.openshift.io/v1
        kind: ImageDigestMirrorSet
        metadata:
          name: pull-through
        spec:
          imageDigestMirrors:
          - source: %s/src
            mirrors:
            - %s/m1
            - %s/m2
            - %s/m3
            mirrorSourcePolicy: NeverContactSource
        """.formatted(source.hostPort(), down, empty.hostPort(), tls.hostPort()));
    MirroredSources mirrored = MirroredSources.of(MirrorConfigLoader.load(idms));
    ImageReference named = ref(source, "src/app@" + image.digest());
    // An IDMS has no CA field: the TLS mirror's CA comes from the client's own trust.
    RegistryClient client = RegistryClient.builder()
        .trust(TrustConfig.builder().addRegistryBundle(tls.hostPort(), PemBundle.read(tlsBundle)).build())
        .build();

    CopyResult result;
    try (CopyEngine engine = CopyEngine.builder(client).build()) {
      result = engine.copy(mirrored.request(named, at(destination, "idms/app:v1"), CopyOptions.defaults()));
    }

    assertThat(result).as("%s", result).isInstanceOf(CopyResult.Copied.class);
    assertThat(result.servedBy()).contains(at(tls, "m3/app@" + image.digest()));
    assertNotFoundAtEmptyMirror("/v2/m2/app/manifests/" + image.digest());
    assertNeverContacted(source);
    assertThat(skopeo.digestOf(destination.image("idms/app:v1"))).isEqualTo(image.digest());
    assertThatThrownBy(() -> mirrored.request(ref(source, "src/app:v1"), at(destination, "idms/x:v1"), null))
        .isInstanceOf(CopyException.SourceBlocked.class)
        .hasMessageContaining("digest-only, and this is a tag reference");
  }
}

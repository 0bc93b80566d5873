package dev.holdfast.oci.registry;

import static dev.holdfast.oci.registry.TestClients.descriptor;
import static dev.holdfast.oci.registry.TestClients.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.manifest.ImageIndex;
import dev.holdfast.oci.manifest.ImageManifest;
import dev.holdfast.oci.manifest.Manifest;
import dev.holdfast.oci.manifest.MediaTypes;
import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The client against real registries in the four modes (plain HTTP, TLS with a private CA, Basic
 * auth over TLS, Bearer tokens), cross-checked with skopeo.
 */
class RegistryClientIT {

  @RegisterExtension static final RegistryExtension plain = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension tls = RegistryExtension.tls();
  @RegisterExtension static final RegistryExtension basic = RegistryExtension.basicAuth();
  @RegisterExtension static final RegistryExtension token = RegistryExtension.token();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage single;
  static WrittenImage multi;

  @BeforeAll
  static void images() {
    Path layout = work.resolve("layout");
    SyntheticImage.Builder small = SyntheticImage.builder().layers(2).layerSize(20_000)
        .baseLayers(1).baseLayerSize(30_000).baseSeed(5);
    single = small.seed(11).format(Format.OCI).platforms("linux/amd64").build().writeTo(layout, "single");
    multi = small.seed(12).format(Format.DOCKER).multiArch().build().writeTo(layout, "multi");
    skopeo = Skopeo.create(work.resolve("skopeo"));
  }

  static Stream<RegistryExtension> modes() {
    return Stream.of(plain, tls, basic, token);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void aClosedClientFinishesTheStreamItOpenedAndRefusesNewCalls(RegistryExtension registry) throws IOException {
    skopeo.push(single, registry.image("close/single:v1"));
    ImageReference image = ref(registry, "close/single:v1");
    RegistryClient client = TestClients.client(registry);
    ImageManifest manifest = (ImageManifest) client.getManifest(image);
    Descriptor layer = manifest.layers().get(0);

    try (InputStream open = client.openBlob(image, layer)) {
      client.close();
      assertThat(open.readAllBytes()).isEqualTo(single.readBlob(layer.digest().toString()));
    }
    assertThatThrownBy(() -> client.headManifest(image))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    client.close(); // twice is harmless
  }

  // ---- pulling ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void pullsASingleArchImageAsSkopeoSeesIt(RegistryExtension registry) throws IOException {
    skopeo.push(single, registry.image("pull/single:v1"));
    RegistryClient client = TestClients.client(registry);
    ImageReference image = ref(registry, "pull/single:v1");

    Manifest manifest = client.getManifest(image);
    byte[] raw = skopeo.inspectRaw(registry.image("pull/single:v1"));
    assertThat(manifest.raw()).isEqualTo(raw);
    assertThat(manifest.digest().toString()).isEqualTo(skopeo.digestOf(registry.image("pull/single:v1")))
        .isEqualTo(single.digest());
    assertThat(manifest.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    assertThat(client.headManifest(image)).contains(manifest.descriptor());

    ImageManifest imageManifest = (ImageManifest) manifest;
    for (Descriptor blob : concat(imageManifest.config(), imageManifest.layers())) {
      assertThat(client.headBlob(image, blob.digest())).contains(blob.size());
      try (InputStream in = client.openBlob(image, blob)) {
        assertThat(in.readAllBytes()).isEqualTo(single.readBlob(blob.digest().toString()));
      }
    }
    // by digest too, and the digest is verified
    Manifest byDigest = client.getManifest(image.withDigest(manifest.digest()).withoutTag());
    assertThat(byDigest.raw()).isEqualTo(raw);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void pullsAMultiArchIndexAndItsChildren(RegistryExtension registry) {
    skopeo.push(multi, registry.image("pull/multi:v1"));
    RegistryClient client = TestClients.client(registry);
    ImageReference image = ref(registry, "pull/multi:v1");

    ImageIndex index = (ImageIndex) client.getManifest(image);
    assertThat(index.raw()).isEqualTo(skopeo.inspectRaw(registry.image("pull/multi:v1")));
    assertThat(index.digest().toString()).isEqualTo(multi.digest());
    assertThat(index.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST_LIST);
    assertThat(index.manifests()).extracting(d -> d.platform().map(Platform::toString).orElse("?"))
        .containsExactly("linux/amd64", "linux/arm64");
    for (Descriptor child : index.manifests()) {
      Manifest manifest = client.getManifest(image.withDigest(child.digest()));
      assertThat(manifest.descriptor()).isEqualTo(Descriptor.of(child.mediaType(), child.digest(), child.size()));
      assertThat(manifest.raw()).isEqualTo(
          skopeo.inspectRaw(registry.image("pull/multi@" + child.digest())));
    }
  }

  // ---- pushing ------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void pushesBlobsMonolithicallyAndInChunksThenTheManifest(RegistryExtension registry) {
    RegistryClient client = TestClients.client(registry);
    ImageReference target = ref(registry, "push/app:v1");
    WrittenImage.PlatformManifest platform = single.manifests().get(0);

    Descriptor config = descriptor(platform.config());
    assertThat(client.headBlob(target, config.digest())).isEmpty();
    client.pushBlob(target, config, new ByteArrayInputStream(single.readBlob(config.digest().toString())));
    for (var layer : platform.layers()) {
      client.pushBlobChunked(target, descriptor(layer),
          new ByteArrayInputStream(single.readBlob(layer.digest())), 7_000);
      assertThat(client.headBlob(target, Digest.parse(layer.digest()))).contains(layer.size());
    }
    Manifest manifest = Manifest.parse(single.readBlob(platform.manifest().digest()), MediaTypes.OCI_MANIFEST);
    Digest pushed = client.putManifest(target, manifest);

    assertThat(pushed.toString()).isEqualTo(platform.manifest().digest())
        .isEqualTo(skopeo.digestOf(registry.image("push/app:v1")));
    assertThat(skopeo.inspectRaw(registry.image("push/app:v1"))).isEqualTo(manifest.raw());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void pushesAnIndexByDigestAndListsTags(RegistryExtension registry) {
    skopeo.push(multi, registry.image("tags/source:v1"));
    RegistryClient client = TestClients.client(registry);
    ImageReference source = ref(registry, "tags/source:v1");
    ImageReference target = ref(registry, "tags/target:v1");
    ImageIndex index = (ImageIndex) client.getManifest(source);
    for (Descriptor child : index.manifests()) {
      ImageManifest manifest = (ImageManifest) client.getManifest(source.withDigest(child.digest()));
      for (Descriptor blob : concat(manifest.config(), manifest.layers())) {
        if (client.headBlob(target, blob.digest()).isEmpty()) {
          assertThat(client.mountBlob(target, blob.digest(), source.repository())).isTrue();
        }
      }
      client.putManifest(target.withDigest(child.digest()).withoutTag(), manifest);
    }
    for (String tag : List.of("c", "a", "b", "d", "e")) {
      assertThat(client.putManifest(target.withTag(tag), index)).isEqualTo(index.digest());
    }
    // distribution 2.8 ignores n= and sends no Link header; FaultProxyIT covers pagination
    assertThat(client.listTags(target)).containsExactlyInAnyOrder("a", "b", "c", "d", "e");
    assertThat(skopeo.digestOf(registry.image("tags/target:e"))).isEqualTo(multi.digest());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void mountsAcrossRepositoriesAndReportsADeclinedMount(RegistryExtension registry) {
    skopeo.push(single, registry.image("mount/from:v1"));
    RegistryClient client = TestClients.client(registry);
    ImageReference target = ref(registry, "mount/to:v1");
    var layer = single.manifests().get(0).layers().get(0);
    Digest digest = Digest.parse(layer.digest());

    registry.clearRequests();
    assertThat(client.mountBlob(target, digest, "mount/from")).isTrue();
    assertThat(registry.requests()).anyMatch(r -> r.isMount());
    assertThat(client.headBlob(target, digest)).contains(layer.size());

    // a blob the source does not have: the registry declines, the caller uploads
    byte[] content = "not in mount/from".getBytes();
    Descriptor missing = Descriptor.of("application/octet-stream", Digest.sha256(content), content.length);
    assertThat(client.mountBlob(target, missing.digest(), "mount/from")).isFalse();
    client.pushBlob(target, missing, new ByteArrayInputStream(content));
    assertThat(client.headBlob(target, missing.digest())).contains((long) content.length);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void opensAnUploadOnlyForABlobTheRepositoryLacks(RegistryExtension registry) {
    RegistryClient client = TestClients.client(registry);
    ImageReference target = ref(registry, "ask/upload:v1");
    byte[] content = ("asked while opening, " + registry.mode()).getBytes();
    Descriptor blob = Descriptor.of("application/octet-stream", Digest.sha256(content), content.length);

    registry.clearRequests();
    Optional<String> session = client.openUploadUnlessPresent(target, blob.digest());
    assertThat(session).as("an upload session for a blob the repository lacks").isPresent();
    client.pushBlob(target, blob, new ByteArrayInputStream(content), session.get());
    assertThat(registry.requests()).as("no HEAD: the mount request asked")
        .noneMatch(r -> r.method().equals("HEAD"))
        .anyMatch(r -> r.method().equals("PUT") && r.status() == 201);
    assertThat(client.headBlob(target, blob.digest())).contains((long) content.length);

    registry.clearRequests();
    assertThat(client.openUploadUnlessPresent(target, blob.digest())).as("the repository has it now").isEmpty();
    assertThat(registry.requests()).filteredOn(r -> r.path().contains("/blobs/"))
        .singleElement().matches(RegistryRequest::isFoundByMountingItself, "found by mounting itself");
  }

  // ---- referrers ----------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void referrersFallBackToTheTagSchema(RegistryExtension registry) {
    skopeo.push(single, registry.image("refs/app:v1"));
    RegistryClient client = TestClients.client(registry);
    ImageReference subject = ref(registry, "refs/app@" + single.digest());
    assertThat(client.referrers(subject, java.util.Optional.empty()).manifests()).isEmpty();

    // an artifact (signature-like) whose subject is the image, and the fallback index listing it
    byte[] empty = "{}".getBytes();
    Descriptor emptyConfig = Descriptor.of(MediaTypes.OCI_EMPTY, Digest.sha256(empty), empty.length);
    client.pushBlob(subject, emptyConfig, new ByteArrayInputStream(empty));
    ImageManifest signature = ImageManifest.builder(MediaTypes.OCI_MANIFEST)
        .config(emptyConfig).layers(List.of(emptyConfig))
        .artifactType("application/vnd.example.signature")
        .subject(Descriptor.of(single.mediaType(), Digest.parse(single.digest()), single.top().size()))
        .build();
    client.putManifest(subject.withDigest(signature.digest()), signature);
    Descriptor entry = signature.descriptor().withArtifactType("application/vnd.example.signature");
    ImageIndex fallback = ImageIndex.of(MediaTypes.OCI_INDEX, List.of(entry));
    String hex = single.digest().substring("sha256:".length());
    client.putManifest(subject.withTag("sha256-" + hex).withoutDigest(), fallback);

    assertThat(client.referrers(subject, java.util.Optional.empty()).manifests()).containsExactly(entry);
    assertThat(client.referrers(subject, java.util.Optional.of("application/vnd.example.signature"))
        .manifests()).containsExactly(entry);
    assertThat(client.referrers(subject, java.util.Optional.of("application/spdx+json")).manifests())
        .isEmpty();
  }

  // ---- typed errors -------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("modes")
  void missingImageAndRepositoryAreTypedNotFound(RegistryExtension registry) {
    skopeo.push(single, registry.image("errors/app:v1"));
    RegistryClient client = TestClients.client(registry);

    assertThatThrownBy(() -> client.getManifest(ref(registry, "errors/app:nope")))
        .isInstanceOfSatisfying(NotFoundException.class, e -> {
          assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN");
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.getMessage()).contains("pull manifest " + registry.hostPort() + "/errors/app:nope")
              .contains("[registry " + registry.hostPort() + "]");
        });
    assertThat(client.headManifest(ref(registry, "errors/app:nope"))).isEmpty();
    // distribution 2.8 says MANIFEST_UNKNOWN for a manifest of a missing repository, NAME_UNKNOWN
    // for its tag list; the client passes on what the registry said
    assertThatThrownBy(() -> client.getManifest(ref(registry, "errors/no-such-repo:v1")))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN"));
    assertThatThrownBy(() -> client.listTags(ref(registry, "errors/no-such-repo:v1")))
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.isRepositoryMissing()).isTrue());
    Descriptor absent = Descriptor.of("application/octet-stream", Digest.sha256(new byte[] {1}), 1);
    assertThatThrownBy(() -> client.openBlob(ref(registry, "errors/app:v1"), absent).close())
        .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("BLOB_UNKNOWN"));
  }

  @org.junit.jupiter.api.Test
  void untrustedCertificateIsATlsErrorAndInsecureSkipsVerification() {
    skopeo.push(single, tls.image("tls/app:v1"));
    RegistryClient untrusting = RegistryClient.builder().build();
    assertThatThrownBy(() -> untrusting.getManifest(ref(tls, "tls/app:v1")))
        .isInstanceOfSatisfying(TlsException.class, e -> {
          assertThat(e.getMessage()).contains("--ca-file").contains("--insecure-registry")
              .contains(tls.hostPort());
          assertThat(e.isRetryable()).isFalse();
        });
    RegistryClient insecure = RegistryClient.builder()
        .trust(dev.holdfast.oci.tls.TrustConfig.builder().addInsecureRegistry(tls.hostPort()).build())
        .build();
    assertThat(insecure.getManifest(ref(tls, "tls/app:v1")).digest().toString()).isEqualTo(single.digest());
  }

  static Stream<RegistryExtension> authModes() {
    return Stream.of(basic, token);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("authModes")
  void wrongPasswordAndNoCredentialsAreUnauthorized(RegistryExtension registry) {
    skopeo.push(single, registry.image("auth/app:v1"));
    String wrong = "wrong-" + registry.credentials().password();
    RegistryClient wrongPassword = TestClients.builder(registry)
        .credentials(TestClients.credentials(registry, registry.credentials().withPassword(wrong)))
        .build();
    assertThatThrownBy(() -> wrongPassword.getManifest(ref(registry, "auth/app:v1")))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> {
          assertThat(e.getMessage()).doesNotContain(wrong).doesNotContain(registry.credentials().password())
              .contains(registry.hostPort()).containsIgnoringCase("refused");
          assertThat(e.isRetryable()).isFalse();
        });
    RegistryClient anonymous = TestClients.builder(registry)
        .credentials(dev.holdfast.oci.auth.CredentialProvider.anonymous()).build();
    assertThatThrownBy(() -> anonymous.headManifest(ref(registry, "auth/app:v1")))
        .isInstanceOfSatisfying(UnauthorizedException.class, e -> assertThat(e.getMessage())
            // basic auth: the registry's 401; token auth: the token server's refusal
            .containsAnyOf("failed: unauthorized; no credentials are configured for " + registry.hostPort(),
                "refused anonymous access"));
  }

  private static List<Descriptor> concat(Descriptor first, List<Descriptor> rest) {
    return Stream.concat(Stream.of(first), rest.stream()).toList();
  }

}

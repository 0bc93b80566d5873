package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static dev.holdfast.oci.copy.Registries.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.manifest.Platform;
import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.registry.NotFoundException;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A copy is read back by digest at the destination: every manifest, every blob by HEAD. */
class CopyVerifierIT {
  @RegisterExtension final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension final RegistryExtension destination = RegistryExtension.basicAuth();
  @TempDir Path work;

  @Test
  void readsBackEveryManifestAndBlobOfAMultiArchCopy() {
    WrittenImage image = seed("app:1");
    RegistryClient client = Registries.client(source, destination);
    try (CopyEngine engine = CopyEngine.builder(client).build()) {
      CopyResult result = engine.copy(CopyRequest.of(at(source, "demo/app:1"), at(destination, "keep/app:1"),
          CopyOptions.defaults()));
      assertThat(result).isInstanceOf(CopyResult.Copied.class);
    }

    CopyVerifier.Verified verified = new CopyVerifier(client)
        .verify(ref(destination, "keep/app@" + image.digest()));

    assertThat(verified.platforms()).containsExactly(Platform.of("linux", "amd64"), Platform.of("linux", "arm64"));
    assertThat(verified.manifests()).isEqualTo(3);
    assertThat(verified.blobs()).isEqualTo(image.blobs().size());
    long expected = image.top().size() + image.manifests().stream().mapToLong(m -> m.manifest().size()).sum()
        + image.blobs().stream().mapToLong(b -> b.size()).sum();
    assertThat(verified.size()).isEqualTo(expected);
  }

  @Test
  void aMissingBlobFailsVerificationNamingIt() throws IOException {
    WrittenImage image = seed("app:2");
    RegistryClient client = Registries.client(source, destination);
    try (CopyEngine engine = CopyEngine.builder(client).build()) {
      engine.copy(CopyRequest.of(at(source, "demo/app:2"), at(destination, "keep/app:2"), CopyOptions.defaults()));
    }
    String layer = image.manifests().get(1).layers().get(0).digest();
    // The repository's link to the layer goes; a restart drops the registry's in-memory cache.
    Path link = destination.storageDir().resolve("docker/registry/v2/repositories/keep/app/_layers/sha256")
        .resolve(layer.substring("sha256:".length())).resolve("link");
    Files.delete(link);
    destination.stop();
    destination.start();

    RegistryClient fresh = Registries.client(source, destination);
    assertThatThrownBy(() -> new CopyVerifier(fresh).verify(ref(destination, "keep/app@" + image.digest())))
        .isInstanceOf(CopyException.VerificationFailed.class)
        .hasMessageContaining("blob " + layer + " is missing at the destination")
        .hasMessageContaining("keep/app@" + image.manifests().get(1).manifest().digest());
  }

  @Test
  void aCopyThatIsNotThereIsNotFound() {
    RegistryClient client = Registries.client(source, destination);
    Digest absent = Digest.parse("sha256:" + "0".repeat(64));
    assertThatThrownBy(() -> new CopyVerifier(client).verify(ref(destination, "keep/none@" + absent)))
        .isInstanceOf(NotFoundException.class);
    assertThatThrownBy(() -> new CopyVerifier(client).verify(ref(destination, "keep/none:1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names none");
  }

  private WrittenImage seed(String tag) {
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    WrittenImage image = SyntheticImage.builder().seed(tag.hashCode()).layers(2).layerSize(20_000).multiArch()
        .build().writeTo(work.resolve("layout"), tag.replace(':', '-'));
    skopeo.push(image, source.image("demo/" + tag));
    return image;
  }
}

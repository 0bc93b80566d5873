package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static dev.holdfast.oci.copy.Registries.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.manifest.Descriptor;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The destination registry dies in the middle of a 96 MiB copy and comes back: the tag is absent
 * (never partial), and the same copy run again completes, reusing the blobs that made it.
 */
class InterruptedCopyIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension destination = RegistryExtension.plain();

  private static final long LAYER = 24L << 20;

  @TempDir static Path work;

  @Test
  void aTagIsAbsentOrCompleteAndARerunFinishes() {
    Skopeo skopeo = Skopeo.create(work.resolve("skopeo"));
    WrittenImage image = SyntheticImage.builder().seed(41).layers(4).layerSize(LAYER).format(Format.OCI)
        .platforms("linux/amd64").build().writeTo(work.resolve("seed"), "big");
    skopeo.push(image, source.image("big/app:1"));
    RegistryClient client = Registries.client(source, destination);
    CopyRequest request = CopyRequest.of(at(source, "big/app:1"), at(destination, "big/app:1"), CopyOptions.defaults());

    // One transfer at a time; the registry is stopped from the copying thread itself once the first
    // layer is in and the second is half way, so the interruption lands mid-copy every time.
    AtomicLong streamed = new AtomicLong();
    AtomicBoolean stopped = new AtomicBoolean();
    ProgressListener killer = new ProgressListener() {
      @Override
      public void blobProgress(CopyRequest r, Descriptor blob, long bytes) {
        if (streamed.addAndGet(bytes) > LAYER + LAYER / 2 && stopped.compareAndSet(false, true)) {
          destination.stop();
        }
      }
    };
    CopyResult interrupted;
    try (CopyEngine engine = CopyEngine.builder(client).destinationConcurrency(1).listener(killer).build()) {
      interrupted = engine.copy(request);
    }
    assertThat(stopped).isTrue();
    assertThat(interrupted).isInstanceOf(CopyResult.Failed.class);
    assertThat(((CopyResult.Failed) interrupted).cause()).hasMessageContaining(destination.hostPort());

    destination.start();
    assertThat(client.headManifest(ref(destination, "big/app:1"))).as("no tag on an incomplete image").isEmpty();

    CopyResult rerun;
    try (CopyEngine engine = CopyEngine.builder(client).build()) {
      rerun = engine.copy(request);
    }
    assertThat(rerun).isInstanceOf(CopyResult.Copied.class);
    // at least the layer that was complete when the registry stopped (the config may not have been sent yet)
    assertThat(rerun.stats().blobsSkipped()).as("blobs that made it the first time").isGreaterThanOrEqualTo(1);
    assertThat(rerun.stats().bytes()).isLessThan(image.layerBytes());
    assertThat(skopeo.digestOf(destination.image("big/app:1"))).isEqualTo(image.digest());
  }
}

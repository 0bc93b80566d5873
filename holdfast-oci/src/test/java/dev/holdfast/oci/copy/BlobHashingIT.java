package dev.holdfast.oci.copy;

import static dev.holdfast.oci.copy.Registries.at;
import static dev.holdfast.oci.copy.Registries.ref;
import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.oci.reference.Digest;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.registry.DigestMismatchException;
import dev.holdfast.oci.registry.FaultProxy;
import dev.holdfast.oci.registry.RegistryClient;
import dev.holdfast.oci.testing.Descriptor;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who hashes the blobs ({@link BlobHashing}), shown with a layer whose stored bytes were damaged
 * (same length, one byte flipped) in a real source registry and in an OCI layout:
 *
 * <ul>
 *   <li>into a registry that checks uploads, the engine leaves the hashing to it: the damage is
 *       found by the destination, which refuses the blob (so the client did not hash it); the
 *       engine then reads the blob again, hashes it and names both digests;
 *   <li>with {@link BlobHashing#ALWAYS}, the client finds it itself, before the upload completes;
 *   <li>into a registry that stores uploads under any digest (a {@link FaultProxy} playing one in
 *       front of a real registry), the client hashes every blob and finds it.
 * </ul>
 *
 * In every case nothing is stored under the damaged blob's digest and no tag is written.
 */
class BlobHashingIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension checking = RegistryExtension.basicAuth();
  @RegisterExtension static final RegistryExtension laxUpstream = RegistryExtension.plain();

  @TempDir static Path work;
  static Skopeo skopeo;
  static FaultProxy lax;
  static RegistryClient client;
  static WrittenImage good;
  static WrittenImage bad;
  static WrittenImage badInLayout;
  static Descriptor damaged;
  static Descriptor damagedInLayout;

  @BeforeAll
  static void seed() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder image = SyntheticImage.builder().format(Format.OCI).platforms("linux/amd64")
        .layers(2).layerSize(300_000);
    good = image.seed(41).build().writeTo(work.resolve("seed"), "good");
    bad = image.seed(42).build().writeTo(work.resolve("seed"), "bad");
    skopeo.push(good, source.image("src/good:1"));
    skopeo.push(bad, source.image("src/bad:1"));
    damaged = bad.layers().get(1);
    flipOneByte(source.blobDataFile(damaged.digest()), damaged.size());

    badInLayout = image.seed(43).build().writeTo(work.resolve("layout"), "bad");
    damagedInLayout = badInLayout.layers().get(0);
    flipOneByte(badInLayout.blobPath(damagedInLayout.digest()), damagedInLayout.size());

    lax = new FaultProxy(laxUpstream.baseUri());
    lax.acceptWrongDigests = true;
    client = Registries.client(source, checking);
  }

  @AfterAll
  static void close() {
    lax.close();
    client.close();
  }

  private static void flipOneByte(Path file, long size) throws IOException {
    try (RandomAccessFile data = new RandomAccessFile(file.toFile(), "rw")) {
      assertThat(data.length()).isEqualTo(size);
      data.seek(size / 2);
      int b = data.read();
      data.seek(size / 2);
      data.write(b ^ 0x5a);
    }
  }

  private static CopyResult copy(BlobHashing hashing, ImageLocation from, ImageLocation to) {
    try (CopyEngine engine = CopyEngine.builder(client).blobHashing(hashing).build()) {
      return engine.copy(CopyRequest.of(from, to, CopyOptions.defaults()));
    }
  }

  private static RuntimeException failure(CopyResult result) {
    assertThat(result).as("%s", result).isInstanceOf(CopyResult.Failed.class);
    return ((CopyResult.Failed) result).cause();
  }

  private static void assertNothingStored(ImageReference destination, Descriptor blob) {
    assertThat(client.headManifest(destination)).as("tag %s", destination).isEmpty();
    assertThat(client.headBlob(destination, Digest.parse(blob.digest()))).as("blob %s", blob.digest()).isEmpty();
  }

  @Test
  void aRegistryThatChecksUploadsHashesTheBlobsInsteadOfTheClient() {
    CopyResult copied = copy(BlobHashing.AUTO, at(source, "src/good:1"), at(checking, "auto/good:1"));
    assertThat(copied).as("%s", copied).isInstanceOf(CopyResult.Copied.class);
    assertThat(copied.stats().blobsCopied()).isEqualTo(good.blobs().size());
    assertThat(copied.stats().blobsHashedByDestination()).isEqualTo(good.blobs().size());
    assertThat(skopeo.digestOf(checking.image("auto/good:1"))).isEqualTo(good.digest());
    source.clearRequests();
    checking.clearRequests();

    RuntimeException cause = failure(copy(BlobHashing.AUTO, at(source, "src/bad:1"), at(checking, "auto/bad:1")));

    // the client streamed the damaged blob without hashing it; the destination hashed it and
    // refused it; the client then read it again, hashed, and named both digests
    assertThat(checking.requests()).anyMatch(r -> r.method().equals("PUT") && r.status() == 400
        && r.path().contains("digest=" + damaged.digest()));
    assertThat(source.requests()).filteredOn(r -> r.isBlobGet() && r.path().endsWith(damaged.digest())).hasSize(2);
    assertDamageFoundByTheClient(cause);
    assertNothingStored(ref(checking, "auto/bad:1"), damaged);
  }

  private static void assertDamageFoundByTheClient(RuntimeException cause) {
    assertThat(cause).isInstanceOfSatisfying(DigestMismatchException.class, e -> {
      assertThat(e.expectedDigest()).hasToString(damaged.digest());
      assertThat(e.actualDigest()).isNotNull().isNotEqualTo(e.expectedDigest());
      assertThat(e.actualSize()).isEqualTo(damaged.size());
      assertThat(e.getMessage()).contains("pull blob " + source.hostPort() + "/src/bad@" + damaged.digest())
          .contains(e.actualDigest().toString());
    });
  }

  @Test
  void withHashingAlwaysTheClientFindsTheDamageBeforeTheUploadCompletes() {
    CopyResult copied = copy(BlobHashing.ALWAYS, at(source, "src/good:1"), at(checking, "always/good:1"));
    assertThat(copied).as("%s", copied).isInstanceOf(CopyResult.Copied.class);
    assertThat(copied.stats().blobsCopied()).isEqualTo(good.blobs().size());
    assertThat(copied.stats().blobsHashedByDestination()).isZero();

    source.clearRequests();
    checking.clearRequests();
    RuntimeException cause = failure(copy(BlobHashing.ALWAYS, at(source, "src/bad:1"), at(checking, "always/bad:1")));

    assertDamageFoundByTheClient(cause);
    assertThat(source.requests()).filteredOn(r -> r.isBlobGet() && r.path().endsWith(damaged.digest())).hasSize(1);
    assertThat(checking.requests()).noneMatch(r -> r.status() == 400);
    assertNothingStored(ref(checking, "always/bad:1"), damaged);
  }

  @Test
  void aRegistryThatStoresAnyDigestGetsOnlyBlobsTheClientHashed() {
    ImageLocation goodCopy = new ImageLocation.Registry(ImageReference.parse(lax.hostPort() + "/lax/good:1"));
    CopyResult copied = copy(BlobHashing.AUTO, at(source, "src/good:1"), goodCopy);
    assertThat(copied).as("%s", copied).isInstanceOf(CopyResult.Copied.class);
    assertThat(copied.stats().blobsCopied()).isEqualTo(good.blobs().size());
    assertThat(copied.stats().blobsHashedByDestination()).isZero();
    assertThat(skopeo.digestOf(laxUpstream.image("lax/good:1"))).isEqualTo(good.digest());

    lax.seen.clear();
    ImageReference badCopy = ImageReference.parse(lax.hostPort() + "/lax/bad:1");
    RuntimeException cause = failure(copy(BlobHashing.AUTO, at(source, "src/bad:1"), new ImageLocation.Registry(badCopy)));

    assertDamageFoundByTheClient(cause);
    assertNothingStored(badCopy, damaged);
    assertThat(lax.seen).noneMatch(seen -> seen.method().equals("PUT") && seen.path().contains("/manifests/"));
  }

  @Test
  void aDamagedLayoutBlobIsRefusedByARegistryThatChecksUploadsThenFoundByTheClient() {
    ImageLocation from = new ImageLocation.Layout(badInLayout.layout(), Optional.of(badInLayout.tag()));
    checking.clearRequests();
    RuntimeException cause = failure(copy(BlobHashing.AUTO, from, at(checking, "layout/bad:1")));

    assertThat(checking.requests()).anyMatch(r -> r.method().equals("PUT") && r.status() == 400
        && r.path().contains("digest=" + damagedInLayout.digest()));
    assertThat(cause).isInstanceOf(dev.holdfast.oci.registry.RegistryException.class) // reading the upload failed
        .hasMessageContaining("read blob " + damagedInLayout.digest() + " from OCI layout " + badInLayout.layout())
        .hasMessageContaining("content has digest sha256:");
    assertNothingStored(ref(checking, "layout/bad:1"), damagedInLayout);
  }
}

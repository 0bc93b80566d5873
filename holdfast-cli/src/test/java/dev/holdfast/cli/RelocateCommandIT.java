package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.holdfast.cli.Cli.Run;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.RegistryRequest;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.SyntheticImage.Format;
import dev.holdfast.oci.testing.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code holdfast relocate} after {@code holdfast sync}, against real registries on loopback: the
 * copies are found at the destination with manifest HEADs, or in the sync's JSON result, and the
 * manifests name them by the digests skopeo reads there.
 */
class RelocateCommandIT {
  @RegisterExtension static final RegistryExtension source = RegistryExtension.plain();
  @RegisterExtension static final RegistryExtension target = RegistryExtension.plain();

  @TempDir static Path work;
  static Skopeo skopeo;
  static WrittenImage web;
  static WrittenImage init;
  static Path manifests;
  static Path syncResult;
  static String relocated;

  /** Helm-rendered manifests naming two images of the source registry, one by digest, and one it lacks. */
  private static final String MANIFESTS = """
      ---
      # Source: app/templates/deployment.yaml
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: app   # the web tier
      spec:
        template:
          spec:
            initContainers:
              - name: init
                image: "%1$s/lib/init:1"
            containers:
              - name: web
                image: %1$s/lib/web:1
              - name: pinned
                image: '%1$s/lib/web@%2$s'
      ---
      # Source: app/templates/cronjob.yaml
      apiVersion: batch/v1
      kind: CronJob
      metadata: {name: nightly}
      spec:
        schedule: "0 2 * * *"
        jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: "%1$s/lib/web:1"}]}}}}
      ---
      # Source: app/templates/tests/test.yaml
      apiVersion: v1
      kind: Pod
      metadata: {name: test}
      spec:
        containers:
          - name: absent
            image: %1$s/lib/absent:1
      """;

  @BeforeAll
  static void seedAndSync() throws IOException {
    skopeo = Skopeo.create(work.resolve("skopeo"));
    SyntheticImage.Builder small = SyntheticImage.builder().layers(1).layerSize(10_000).baseLayers(1)
        .baseLayerSize(20_000).baseSeed(7);
    web = small.seed(71).format(Format.OCI).multiArch().build().writeTo(work.resolve("seed"), "web");
    init = small.seed(72).format(Format.DOCKER).platforms("linux/amd64").build().writeTo(work.resolve("seed"), "init");
    skopeo.push(web, source.image("lib/web:1"));
    skopeo.push(init, source.image("lib/init:1"));
    manifests = Files.writeString(work.resolve("app.yaml"), MANIFESTS.formatted(source.hostPort(), web.digest()));

    Run sync = Cli.run("sync", "--from", manifests.toString(), "--to", target.hostPort() + "/keep", "--output", "json");
    assertThat(sync.exitCode()).as(sync.err()).isEqualTo(3); // lib/absent:1 failed, the others were copied
    syncResult = Files.writeString(work.resolve("sync.json"), sync.out());

    // The manifests as relocate must write them: each image its copy under keep/, by the digest
    // skopeo reads there.
    String copies = target.hostPort() + "/keep/" + source.hostPort().replace(':', '_') + "/lib/";
    String webDigest = skopeo.digestOf(target.image("keep/" + source.hostPort().replace(':', '_') + "/lib/web:1"));
    String initDigest = skopeo.digestOf(target.image("keep/" + source.hostPort().replace(':', '_') + "/lib/init:1"));
    assertThat(webDigest).isEqualTo(web.digest());
    assertThat(initDigest).isEqualTo(init.digest());
    relocated = MANIFESTS.formatted(source.hostPort(), web.digest())
        .replace(source.hostPort() + "/lib/init:1", copies + "init:1@" + initDigest)
        .replace(source.hostPort() + "/lib/web:1", copies + "web:1@" + webDigest)
        .replace(source.hostPort() + "/lib/web@", copies + "web@");
  }

  @Test
  void findsTheCopiesAtTheDestinationWithManifestHeadsOnly() {
    target.clearRequests();
    RelocateCommandTest.Run run = RelocateCommandTest.run("relocate", "--to", target.hostPort() + "/keep",
        manifests.toString());

    assertThat(run.exitCode()).as(run.err()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY);
    assertThat(run.text()).isEqualTo(relocated);
    assertThat(run.err()).contains("no copy: " + source.hostPort() + "/lib/absent:1 at " + manifests
        + ":34:14 (document 3, Pod/test, spec.containers[0].image): not found at " + target.hostPort() + "/keep/"
        + source.hostPort().replace(':', '_') + "/lib/absent:1");
    assertThat(run.err()).endsWith("5 images: 4 rewritten, 0 already a copy, 1 without a copy\n");
    // a HEAD for each distinct source (web:1, init:1, web@digest, absent:1); nothing read, nothing written
    // (the registry logs a request after answering it: wait for them to appear)
    String repositories = "/v2/keep/" + source.hostPort().replace(':', '_') + "/lib/";
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(manifestRequests())
        .extracting(RegistryRequest::path)
        .contains(repositories + "absent/manifests/1", repositories + "web/manifests/" + web.digest()));
    assertThat(manifestRequests()).extracting(RegistryRequest::method).containsOnly("HEAD");
    assertThat(target.requests()).noneMatch(r -> r.path().contains("/blobs/") || r.method().equals("PUT"));
  }

  private static List<RegistryRequest> manifestRequests() {
    return target.requests().stream()
        .filter(r -> r.userAgent().startsWith("holdfast/") && r.path().contains("/manifests/")).toList();
  }

  @Test
  void theSyncResultNamesTheSameCopies() {
    RelocateCommandTest.Run run = RelocateCommandTest.run("relocate", "--from-sync", syncResult.toString(),
        manifests.toString());
    assertThat(run.exitCode()).as(run.err()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY);
    assertThat(run.text()).isEqualTo(relocated);
    assertThat(run.err()).contains("no copy: " + source.hostPort() + "/lib/absent:1 at ")
        .contains("sync failed to copy it (--from-sync " + syncResult + "): ");
  }

  @Test
  void inPlaceTwiceWithALockChangesNothingTheSecondTime() throws IOException {
    Path file = Files.copy(manifests, work.resolve("in-place.yaml"));
    Path lock = work.resolve("in-place.lock.yaml");
    String[] args = {"relocate", "--in-place", "--lock", lock.toString(), "--to", target.hostPort() + "/keep",
        file.toString()};
    Run first = Cli.run(args);
    assertThat(first.exitCode()).as(first.err()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY);
    assertThat(file).hasContent(relocated);
    String lockText = Files.readString(lock);
    String copies = target.hostPort() + "/keep/" + source.hostPort().replace(':', '_') + "/lib/";
    assertThat(lockText).contains("\n  " + source.hostPort() + "/lib/init:1: " + copies + "init:1@" + init.digest() + "\n")
        .contains("\n  " + source.hostPort() + "/lib/web:1: " + copies + "web:1@" + web.digest() + "\n")
        .contains("\n  " + source.hostPort() + "/lib/web@" + web.digest() + ": " + copies + "web@" + web.digest() + "\n")
        .doesNotContain("absent");

    Run second = Cli.run(args);
    assertThat(second.err()).endsWith("5 images: 0 rewritten, 4 already a copy, 1 without a copy; 0 of 1 file changed\n");
    assertThat(file).hasContent(relocated);
    assertThat(lock).hasContent(lockText);
  }

  @Test
  void checkListsOnlyTheImageWithoutACopy() {
    Run check = Cli.run("relocate", "--check", "--to", target.hostPort() + "/keep", manifests.toString());
    assertThat(check.exitCode()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY);
    assertThat(check.lines()).hasSize(2);
    assertThat(check.lines().get(0)).startsWith("no copy: " + source.hostPort() + "/lib/absent:1 at ");
    assertThat(check.lines().get(1)).isEqualTo("5 images: 4 to rewrite, 0 already a copy, 1 without a copy");
  }

  @Test
  void flattenedCopiesAreFoundWithTheSameNamingAsSync() throws IOException {
    Path file = Files.writeString(work.resolve("flat.yaml"),
        "kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: " + source.hostPort() + "/lib/web:1}]}\n");
    Run sync = Cli.run("sync", "--from", file.toString(), "--to", target.hostPort() + "/flat", "--scheme", "flatten");
    assertThat(sync.exitCode()).as(sync.out() + sync.err()).isZero();

    RelocateCommandTest.Run run = RelocateCommandTest.run("relocate", "--to", target.hostPort() + "/flat",
        "--naming", "flatten", "--reference-form", "Digest", file.toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.text()).isEqualTo("kind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: "
        + target.hostPort() + "/flat/127.0.0.1__u__" + source.port() + "_lib_web@" + web.digest() + "}]}\n");
  }

  @Test
  void aDestinationThatCannotBeReachedLeavesEveryImageWithItsReason() {
    Run run = Cli.run("relocate", "--check", "--to", "127.0.0.1:1/keep", manifests.toString());
    assertThat(run.exitCode()).isEqualTo(RelocateCommand.SOME_WITHOUT_COPY);
    assertThat(run.lines()).hasSize(6).last().isEqualTo("5 images: 0 to rewrite, 0 already a copy, 5 without a copy");
    assertThat(run.lines().get(0)).contains("check manifest 127.0.0.1:1/keep/").contains("[registry 127.0.0.1:1]");
  }
}

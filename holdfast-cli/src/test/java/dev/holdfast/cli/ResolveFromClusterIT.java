package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.testing.ControlPlaneExtension;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code holdfast resolve --from-cluster} reads the cluster's mirror sets as the operator does. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ResolveFromClusterIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();
  @TempDir static Path work;

  private static final String MIRROR_SETS = """
      apiVersion: config.openshift.io/v1
      kind: ImageDigestMirrorSet
      metadata: {name: quay-mirrors}
      spec:
        imageDigestMirrors:
        - {source: quay.io/openshift, mirrors: [mirror.local/openshift, backup.local/openshift], mirrorSourcePolicy: NeverContactSource}
        - {source: quay.io, mirrors: [mirror.local/quay]}
      ---
      apiVersion: config.openshift.io/v1
      kind: ImageTagMirrorSet
      metadata: {name: tags}
      spec:
        imageTagMirrors:
        - {source: registry.example.com/team, mirrors: [mirror.local/team]}
      ---
      apiVersion: operator.openshift.io/v1alpha1
      kind: ImageContentSourcePolicy
      metadata: {name: legacy}
      spec:
        repositoryDigestMirrors:
        - {source: docker.io/library, mirrors: [mirror.local/hub]}
      """;
  private static final String[] REFERENCES = {
      "quay.io/openshift/capi-aws@sha256:" + "a".repeat(64), "quay.io/other/app:1",
      "registry.example.com/team/app:2", "nginx@sha256:" + "b".repeat(64), "ghcr.io/none/app:1"};

  @Test
  @Order(1)
  void onAClusterWithoutTheKindsItSkipsThemAndResolvesAsWithoutMirrors() {
    Cli.Run run = Cli.run(args("--from-cluster", "-o", "json", "quay.io/openshift/capi-aws:1"));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.err()).contains("the cluster does not serve ImageDigestMirrorSet: skipped")
        .contains("ImageTagMirrorSet").contains("ImageContentSourcePolicy");
    assertThat(run.out()).contains("\"candidates\":[\"quay.io/openshift/capi-aws:1\"]");
  }

  @Test
  @Order(2)
  void agreesWithResolveMirrorsGivenTheSameObjectsAsFiles() throws IOException {
    try (InputStream crds = getClass().getResourceAsStream("/openshift/crds.yaml")) {
      kube.apply(new String(crds.readAllBytes(), StandardCharsets.UTF_8));
    }
    kube.await("the OpenShift CRDs are established", () -> kube.client().apiextensions().v1()
        .customResourceDefinitions().list().getItems().stream()
        .filter(c -> c.getSpec().getGroup().endsWith("openshift.io") && c.getStatus() != null
            && c.getStatus().getConditions().stream()
                .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")))
        .count() == 5);
    kube.apply(MIRROR_SETS);
    Path file = Files.writeString(work.resolve("mirror-sets.yaml"), MIRROR_SETS);

    Cli.Run fromCluster = Cli.run(args(concat("--from-cluster", "-o", "json")));
    Cli.Run fromFile = Cli.run(concat(new String[] {"resolve", "--mirrors", file.toString(), "-o", "json"}, REFERENCES));

    assertThat(fromCluster.exitCode()).as(fromCluster.err()).isZero();
    assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
    assertThat(fromCluster.lines()).hasSize(REFERENCES.length).containsExactlyElementsOf(fromFile.lines());
    assertThat(fromCluster.out()).contains("mirror.local/openshift/capi-aws@sha256:").contains("\"blocked\":true");
  }

  private static String[] args(String... options) {
    return concat(new String[] {"resolve", "--kubeconfig", kube.plane().kubeconfig().toString()}, options);
  }

  private static String[] concat(String... options) {
    return concat(options, REFERENCES);
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}

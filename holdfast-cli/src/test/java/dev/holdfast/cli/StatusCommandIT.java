package dev.holdfast.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.holdfast.operator.api.Conditions;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImageCopySpec;
import dev.holdfast.operator.api.ImageCopyStatus;
import dev.holdfast.operator.testing.ControlPlaneExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code holdfast status} from a cluster's ImageCopies and workloads. */
class StatusCommandIT {
  @RegisterExtension static final ControlPlaneExtension kube = new ControlPlaneExtension();

  private static void copy(String name, String source, boolean ready, String reason, String upstream) {
    copy(name, source, "holdfast-flags", ready, reason, upstream);
  }

  private static void copy(String name, String source, String policy, boolean ready, String reason, String upstream) {
    ImageCopy copy = kube.client().resources(ImageCopy.class)
        .resource(ImageCopy.of(name, new ImageCopySpec(source, policy, List.of()))).create();
    ImageCopyStatus status = new ImageCopyStatus();
    if (ready) {
      status.setPrivateSource(false); // its source answered without credentials: the nodes may pull the copy
      status.setCopy("copies.example.com/keep/" + name + "@sha256:" + "a".repeat(64));
    }
    status.setConditions(Conditions.set(List.of(), "Ready", ready, reason, "", 1, Instant.now()));
    if (upstream != null) {
      status.setConditions(Conditions.set(status.getConditions(), "UpstreamAvailable", upstream.equals("Available"),
          upstream, "", 1, Instant.now()));
    }
    copy.setStatus(status);
    kube.client().resources(ImageCopy.class).resource(copy).updateStatus();
  }

  @BeforeAll
  static void crds() throws IOException {
    for (String crd : List.of("imagepolicies.holdfast.dev.yaml", "imagecopies.holdfast.dev.yaml")) {
      kube.apply(Files.readString(kube.plane().repositoryRoot().resolve("deploy/crds").resolve(crd),
          StandardCharsets.UTF_8));
    }
  }

  @Test
  void countsTheImagesAndNamesTheWorkloadsAtRisk() {
    copy("status-web", "docker.io/library/nginx:1.27", true, "Verified", "Available");
    copy("status-gone", "docker.io/library/redis:7", true, "Verified", "NotFound");
    copy("status-broken", "ghcr.io/acme/broken:1", false, "Unauthorized", null);
    copy("status-new", "ghcr.io/acme/new:1", false, "Copying", null);
    kube.apply("""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: safe}
        spec:
          selector: {matchLabels: {app: safe}}
          template:
            metadata: {labels: {app: safe}}
            spec:
              containers: [{name: web, image: "nginx:1.27"}, {name: cache, image: "redis:7"}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: exposed}
        spec:
          selector: {matchLabels: {app: exposed}}
          template:
            metadata: {labels: {app: exposed}}
            spec:
              initContainers: [{name: init, image: "ghcr.io/acme/new:1"}]
              containers: [{name: app, image: "ghcr.io/acme/broken:1"}]
        """);

    Cli.Run json = Cli.run("status", "-o", "json", "-n", kube.namespace(), "--kubeconfig",
        kube.plane().kubeconfig().toString());
    assertThat(json.exitCode()).as(json.err()).isEqualTo(1);
    assertThat(json.out()).contains("\"protected\":2").contains("\"missingUpstream\":1").contains("\"failing\":1")
        .contains("\"pending\":1")
        .contains("{\"workload\":\"" + kube.namespace() + "/deployment/exposed\",\"images\":[\"ghcr.io/acme/broken:1\","
            + "\"ghcr.io/acme/new:1\"]}")
        .doesNotContain("deployment/safe");

    Cli.Run text = Cli.run("status", "-n", kube.namespace(), "--kubeconfig", kube.plane().kubeconfig().toString());
    assertThat(text.out()).startsWith("2 images protected, 1 missing upstream, 1 failing, 1 pending\n")
        .contains("1 workload at risk").contains(kube.namespace() + "/deployment/exposed: ghcr.io/acme/broken:1");
  }

  @Test
  void namesTheSourceRepositoriesTheNodesPullFromCopiesUnderNodeMirrorPolicies() {
    kube.apply("""
        apiVersion: holdfast.dev/v1alpha1
        kind: ImagePolicy
        metadata: {name: status-nodes}
        spec:
          destination: {registry: copies.example.com, repository: keep}
          namespaceSelector: {matchLabels: {status-nodes-test: "yes"}}
          rewrite: NodeMirror
        """);
    // ImageCopies are cluster-wide: these go again, so that the other test's counts hold in any order
    try {
      copy("status-nodes-web", "quay.io/acme/web:2", "status-nodes", true, "Verified", null);
      copy("status-nodes-web-old", "quay.io/acme/web:1", "status-nodes", true, "Verified", null);
      copy("status-nodes-api", "quay.io/acme/api:1", "status-nodes", false, "Copying", null);

      Cli.Run json = Cli.run("status", "-o", "json", "-n", kube.namespace(), "--kubeconfig",
          kube.plane().kubeconfig().toString());
      assertThat(json.out()).as(json.err()).contains("\"nodeMirror\":{\"policies\":[\"status-nodes\"],"
          + "\"covered\":[\"quay.io/acme/web\"],\"notCovered\":[\"quay.io/acme/api\"]}");

      Cli.Run text = Cli.run("status", "-n", kube.namespace(), "--kubeconfig", kube.plane().kubeconfig().toString());
      assertThat(text.out()).contains("node mirror (status-nodes): 1 source repository pulled from copies: "
          + "quay.io/acme/web\n").contains("  not yet (no verified copy, or private and not shared): quay.io/acme/api\n");
    } finally {
      for (String name : List.of("status-nodes-web", "status-nodes-web-old", "status-nodes-api")) {
        kube.client().resources(ImageCopy.class).withName(name).delete();
      }
    }
  }
}

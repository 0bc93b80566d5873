package dev.holdfast.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.api.ImageCopy;
import dev.holdfast.operator.api.ImagePolicy;
import dev.holdfast.operator.copy.CopyStatus;
import dev.holdfast.operator.nodemirror.NodeMirrorRules;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.upstream.UpstreamStatus;
import dev.holdfast.operator.workload.ImageField;
import dev.holdfast.operator.workload.Ownership;
import dev.holdfast.operator.workload.PodSpecImages;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code holdfast status}: how protected the cluster is, from its ImageCopies and workloads: images
 * protected (a verified copy), missing upstream, failing and pending, and the workloads at risk (an
 * image with no verified copy); for NodeMirror policies, which source repositories the nodes pull
 * from copies.
 */
@Command(name = "status", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
    description = {
      "Reports how protected the cluster's workloads are: the images with a verified copy, those their"
          + " upstream no longer has, those failing or still pending, and the workloads at risk (one of their"
          + " images has no verified copy). With policies in NodeMirror mode, also the source repositories the"
          + " nodes pull from copies, and those they do not yet.",
      "",
      "Exit status: 0 no workload at risk; 1 some workload at risk; 2 usage error or the cluster cannot be read."
    })
final class StatusCommand implements Callable<Integer> {
  enum Format {
    text,
    json
  }

  @Spec CommandSpec spec;

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", description = "text (the default) or json.")
  Format output = Format.text;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS",
      description = "Only this namespace's workloads (default: every namespace but kube-system and those labelled"
          + " holdfast.dev/skip=true).")
  String namespace;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The kubeconfig (default: the usual lookup).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "The kubeconfig context to use.")
  String context;

  /** A workload and its images without a verified copy. */
  record AtRisk(String workload, List<String> images) {}

  /**
   * For the policies in NodeMirror mode: the source repositories the nodes are sent to copies for,
   * and those with a copy the nodes are not sent to yet (not verified, or private and not shared).
   */
  record NodeCoverage(List<String> policies, Set<String> covered, Set<String> notCovered) {
    static NodeCoverage of(List<ImagePolicy> policies, List<ImageCopy> copies) {
      List<String> names = List.copyOf(NodeMirrorRules.nodeMirrorPolicies(policies));
      Set<String> sharing = NodeMirrorRules.sharingPolicies(policies);
      List<ImageCopy> theirs = copies.stream()
          .filter(c -> c.getSpec() != null && names.contains(c.getSpec().getPolicy())).toList();
      Set<String> covered = NodeMirrorRules.of(theirs, false, sharing::contains).stream()
          .map(NodeMirrorRules.Rule::source).collect(Collectors.toCollection(TreeSet::new));
      Set<String> notCovered = new TreeSet<>();
      for (ImageCopy copy : theirs) {
        try {
          String repository = ImageReference.parse(copy.getSpec().getSource()).name();
          if (!covered.contains(repository)) {
            notCovered.add(repository);
          }
        } catch (InvalidReferenceException e) {
          // not a copy the operator could have made
        }
      }
      return new NodeCoverage(names, covered, notCovered);
    }
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<ImageCopy> copies;
    List<AtRisk> atRisk = new ArrayList<>();
    NodeCoverage nodes;
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config()).build()) {
      copies = client.resources(ImageCopy.class).list().getItems();
      nodes = NodeCoverage.of(client.resources(ImagePolicy.class).list().getItems(), copies);
      Set<String> protectedSources = copies.stream().filter(CopyStatus::isReady)
          .map(c -> c.getSpec().getSource()).collect(Collectors.toSet());
      Set<String> skipped = namespace != null ? Set.of() : client.namespaces().list().getItems().stream()
          .filter(n -> n.getMetadata().getName().equals("kube-system")
              || dev.holdfast.operator.policy.PolicySelection.optedOut(n.getMetadata().getLabels()))
          .map(n -> n.getMetadata().getName()).collect(Collectors.toSet());
      for (WorkloadKind kind : WorkloadKind.values()) {
        var resources = client.resources(kind.type());
        List<? extends HasMetadata> objects = namespace != null ? resources.inNamespace(namespace).list().getItems()
            : resources.inAnyNamespace().list().getItems();
        for (HasMetadata object : objects) {
          if (!skipped.contains(object.getMetadata().getNamespace())
              && Ownership.of(object, List.of()) instanceof Ownership.Decision.Handle) {
            List<String> unprotected = unprotected(kind, object, protectedSources);
            if (!unprotected.isEmpty()) {
              atRisk.add(new AtRisk(object.getMetadata().getNamespace() + "/" + kind.kind().toLowerCase(Locale.ROOT)
                  + "/" + object.getMetadata().getName(), unprotected));
            }
          }
        }
      }
    } catch (KubernetesClientException e) {
      throw new BadInput(spec, "cannot read the cluster: " + e.getMessage(), e);
    }
    Map<String, Long> counts = new TreeMap<>();
    counts.put("protected", copies.stream().filter(CopyStatus::isReady).count());
    counts.put("missingUpstream", copies.stream()
        .filter(c -> UpstreamStatus.reason(c).filter("NotFound"::equals).isPresent()).count());
    counts.put("failing", copies.stream().filter(c -> state(c).equals("failed")).count());
    counts.put("pending", copies.stream().filter(c -> state(c).equals("pending") || state(c).equals("copying")).count());
    if (output == Format.json) {
      ObjectNode json = new ObjectMapper().createObjectNode();
      counts.forEach(json::put);
      var risk = json.putArray("atRisk");
      atRisk.forEach(r -> {
        ObjectNode entry = risk.addObject().put("workload", r.workload());
        r.images().forEach(entry.putArray("images")::add);
      });
      if (!nodes.policies().isEmpty()) {
        ObjectNode node = json.putObject("nodeMirror");
        nodes.policies().forEach(node.putArray("policies")::add);
        nodes.covered().forEach(node.putArray("covered")::add);
        nodes.notCovered().forEach(node.putArray("notCovered")::add);
      }
      out.println(json);
    } else {
      out.printf("%d images protected, %d missing upstream, %d failing, %d pending%n", counts.get("protected"),
          counts.get("missingUpstream"), counts.get("failing"), counts.get("pending"));
      if (atRisk.isEmpty()) {
        out.println("no workload at risk");
      } else {
        out.println(atRisk.size() + (atRisk.size() == 1 ? " workload" : " workloads")
            + " at risk (an image without a verified copy):");
        atRisk.forEach(r -> out.println("  " + r.workload() + ": " + String.join(", ", r.images())));
      }
      if (!nodes.policies().isEmpty()) {
        out.println("node mirror (" + String.join(", ", nodes.policies()) + "): " + nodes.covered().size()
            + (nodes.covered().size() == 1 ? " source repository" : " source repositories")
            + " pulled from copies" + (nodes.covered().isEmpty() ? "" : ": " + String.join(", ", nodes.covered())));
        if (!nodes.notCovered().isEmpty()) {
          out.println("  not yet (no verified copy, or private and not shared): "
              + String.join(", ", nodes.notCovered()));
        }
      }
    }
    out.flush();
    return atRisk.isEmpty() ? 0 : 1;
  }

  private static String state(ImageCopy copy) {
    return dev.holdfast.operator.reconcile.ImageCopies.state(copy);
  }

  // The sources (originals where recorded) of an object's images that have no verified copy.
  private static List<String> unprotected(WorkloadKind kind, HasMetadata object, Set<String> protectedSources) {
    Map<String, String> originals = OriginalImages.read(object.getMetadata().getAnnotations());
    Set<String> missing = new TreeSet<>();
    for (ImageField field : PodSpecImages.of(kind.podSpec(object))) {
      String written = originals.getOrDefault(field.key(), field.image());
      try {
        String source = ImageReference.parse(written).toString();
        if (!protectedSources.contains(source)) {
          missing.add(written);
        }
      } catch (InvalidReferenceException e) {
        missing.add(written + " (invalid)");
      }
    }
    return List.copyOf(missing);
  }

  private Config config() {
    if (kubeconfig == null) {
      return Config.autoConfigure(context);
    }
    try {
      return Config.fromKubeconfig(context, Files.readString(kubeconfig, StandardCharsets.UTF_8), kubeconfig.toString());
    } catch (IOException e) {
      throw new BadInput(spec, "cannot read --kubeconfig " + kubeconfig + ": " + e.getMessage(), e);
    }
  }
}

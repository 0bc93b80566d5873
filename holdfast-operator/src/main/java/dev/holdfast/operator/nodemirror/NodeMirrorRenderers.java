package dev.holdfast.operator.nodemirror;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Node mirror configuration, rendered from {@link NodeMirrorRules.Rule}s for each runtime. Pure.
 *
 * <ul>
 *   <li><b>containers-registries.conf</b> (CRI-O, podman): one {@code [[registry]]} per source
 *       repository with the copy as its mirror; {@code blocked = true} when the source is blocked.
 *   <li><b>containerd</b> {@code hosts.toml}: one directory per source registry under {@code certs.d},
 *       with {@code [host."https://MIRROR/v2/PREFIX/REGISTRY"]} and {@code override_path = true}:
 *       containerd appends the repository to that path. containerd matches hosts per registry, so a
 *       repository of that registry without a copy is asked at the mirror first, answered 404, and
 *       pulled from the source.
 *   <li><b>OpenShift</b>: an ImageDigestMirrorSet and an ImageTagMirrorSet with one entry per source
 *       repository ({@code NeverContactSource} when the source is blocked).
 * </ul>
 */
public final class NodeMirrorRenderers {
  private NodeMirrorRenderers() {}

  /** A registries.conf drop-in; {@code insecure} lists mirror registries reached over plain HTTP. */
  public static String registriesConf(List<NodeMirrorRules.Rule> rules, List<String> insecure) {
    StringBuilder toml = new StringBuilder("# Written by holdfast node-config: each source repository with a"
        + " verified copy pulls from the copy first.\n");
    for (NodeMirrorRules.Rule rule : rules) {
      toml.append("\n[[registry]]\n")
          .append("prefix = \"").append(rule.source()).append("\"\n")
          .append("location = \"").append(rule.source()).append("\"\n");
      if (rule.blockSource()) {
        toml.append("blocked = true\n");
      }
      toml.append("[[registry.mirror]]\n")
          .append("location = \"").append(rule.mirror()).append("\"\n");
      if (insecure.contains(rule.mirrorRegistry())) {
        toml.append("insecure = true\n");
      }
    }
    return toml.toString();
  }

  /** The first line of every hosts.toml Holdfast writes: what it may remove again. */
  public static final String CONTAINERD_MARKER = "# Written by holdfast node-config.";

  /**
   * containerd's {@code hosts.toml} files, keyed by their path under the certs.d directory ({@code
   * docker.io/hosts.toml}). {@code insecure} lists mirror registries reached over plain HTTP.
   */
  public static Map<String, String> containerd(List<NodeMirrorRules.Rule> rules, List<String> insecure) {
    Map<String, List<NodeMirrorRules.Rule>> byRegistry = new TreeMap<>();
    rules.forEach(rule -> byRegistry.computeIfAbsent(rule.sourceRegistry(), r -> new ArrayList<>()).add(rule));
    Map<String, String> files = new LinkedHashMap<>();
    byRegistry.forEach((registry, registryRules) -> {
      String upstream = registry.equals("docker.io") ? "https://registry-1.docker.io" : "https://" + registry;
      StringBuilder toml = new StringBuilder(CONTAINERD_MARKER + "\n");
      boolean blocked = registryRules.stream().allMatch(NodeMirrorRules.Rule::blockSource);
      NodeMirrorRules.Rule first = registryRules.get(0);
      toml.append("server = \"").append(blocked ? url(first, insecure) : upstream).append("\"\n");
      java.util.Set<String> hosts = new java.util.LinkedHashSet<>();
      for (NodeMirrorRules.Rule rule : registryRules) {
        String repository = rule.source().substring(registry.length() + 1);
        String mirrorPath = rule.mirror().substring(rule.mirrorRegistry().length() + 1);
        // the host serves only this repository: its path ends where the source's repository would go
        if (!mirrorPath.endsWith("/" + repository)) {
          throw new IllegalArgumentException("containerd cannot mirror " + rule.source() + " to " + rule.mirror()
              + ": it keeps a repository's path under the mirror's, which flatten naming does not; use keep naming");
        }
        String prefix = mirrorPath.substring(0, mirrorPath.length() - repository.length() - 1);
        String host = scheme(rule, insecure) + rule.mirrorRegistry() + "/v2/" + prefix;
        if (!hosts.add(host)) {
          continue; // keep naming puts every repository of a registry under one path
        }
        toml.append("\n[host.\"").append(host).append("\"]\n")
            .append("  capabilities = [\"pull\", \"resolve\"]\n")
            .append("  override_path = true\n");
        if (insecure.contains(rule.mirrorRegistry())) {
          toml.append("  skip_verify = true\n");
        }
      }
      files.put(registry + "/hosts.toml", toml.toString());
    });
    return files;
  }

  private static String url(NodeMirrorRules.Rule rule, List<String> insecure) {
    return scheme(rule, insecure) + rule.mirrorRegistry();
  }

  private static String scheme(NodeMirrorRules.Rule rule, List<String> insecure) {
    return insecure.contains(rule.mirrorRegistry()) ? "http://" : "https://";
  }

  /** The ImageDigestMirrorSet and ImageTagMirrorSet named {@code name}, holding every rule. */
  public static List<GenericKubernetesResource> openShift(String name, List<NodeMirrorRules.Rule> rules,
      Map<String, String> labels) {
    List<Map<String, Object>> entries = new ArrayList<>();
    for (NodeMirrorRules.Rule rule : rules) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("source", rule.source());
      entry.put("mirrors", List.of(rule.mirror()));
      if (rule.blockSource()) {
        entry.put("mirrorSourcePolicy", "NeverContactSource");
      }
      entries.add(entry);
    }
    return List.of(
        mirrorSet("ImageDigestMirrorSet", "imageDigestMirrors", name, entries, labels),
        mirrorSet("ImageTagMirrorSet", "imageTagMirrors", name, entries, labels));
  }

  private static GenericKubernetesResource mirrorSet(String kind, String field, String name,
      List<Map<String, Object>> entries, Map<String, String> labels) {
    return new GenericKubernetesResourceBuilder().withApiVersion("config.openshift.io/v1").withKind(kind)
        .withNewMetadata().withName(name).withLabels(labels).endMetadata()
        .addToAdditionalProperties("spec", Map.of(field, entries)).build();
  }
}

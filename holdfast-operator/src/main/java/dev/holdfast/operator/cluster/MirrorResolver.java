package dev.holdfast.operator.cluster;

import dev.holdfast.oci.mirror.MirrorConfigException;
import dev.holdfast.oci.mirror.MirrorConfigLoader;
import dev.holdfast.oci.mirror.MirrorRules;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.policy.Policy;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The mirror rules a policy's copies go through: the cluster's mirror sets, merged with the
 * registries.conf (or redirect list, or mirror sets) in the ConfigMap the policy names, and the
 * policy's own redirects, with the library's semantics ({@link MirrorConfigLoader#loadTexts}). When
 * the cluster's mirror sets cannot be read, or the ConfigMap is missing or invalid, the rules are
 * {@link Result.Unresolved}: copies wait rather than contact a source the rules might block.
 */
public final class MirrorResolver {
  private final KubernetesClient client;
  private final Supplier<List<MirrorConfigLoader.Text>> clusterTexts;
  private final Supplier<Optional<String>> clusterProblem;

  public MirrorResolver(KubernetesClient client, Supplier<List<MirrorConfigLoader.Text>> clusterTexts,
      Supplier<Optional<String>> clusterProblem) {
    this.client = client;
    this.clusterTexts = clusterTexts;
    this.clusterProblem = clusterProblem;
  }

  /** Rules for a plain cluster: only the policies' own. */
  public static MirrorResolver policiesOnly(KubernetesClient client) {
    return new MirrorResolver(client, List::of, Optional::empty);
  }

  /** The outcome. */
  public sealed interface Result {
    /**
     * The rules in force.
     *
     * @param origins where they came from: cluster objects, ConfigMaps, the policy's redirects
     */
    record Resolved(MirrorRules rules, List<String> origins) implements Result {}

    /** Why they are not known. */
    record Unresolved(String reason) implements Result {}
  }

  /** The rules of {@code policy} now. */
  public Result rulesFor(Policy policy) {
    Optional<String> problem = clusterProblem.get();
    if (problem.isPresent()) {
      return new Result.Unresolved("the cluster's mirror sets cannot be read: " + problem.get());
    }
    List<MirrorConfigLoader.Text> texts = new ArrayList<>(clusterTexts.get());
    ImagePolicySpec.ConfigMapKeyReference configMap = policy.spec().mirrorsConfigMap();
    if (configMap != null) {
      ConfigMap map = client.configMaps().inNamespace(configMap.namespace()).withName(configMap.name()).get();
      String origin = "ConfigMap " + configMap.namespace() + "/" + configMap.name() + " key " + configMap.key();
      if (map == null || map.getData() == null || !map.getData().containsKey(configMap.key())) {
        return new Result.Unresolved(origin + " (spec.mirrorsConfigMap of ImagePolicy " + policy.name()
            + ") does not exist");
      }
      texts.add(new MirrorConfigLoader.Text(origin, map.getData().get(configMap.key())));
    }
    policy.redirectsText().ifPresent(text -> texts.add(
        new MirrorConfigLoader.Text("ImagePolicy " + policy.name() + " spec.redirects", text)));
    List<String> origins = texts.stream().map(MirrorConfigLoader.Text::origin).toList();
    if (texts.size() <= 1) {
      return new Result.Resolved(texts.isEmpty() ? MirrorRules.empty()
          : texts.get(0).origin().startsWith("ImagePolicy ") ? policy.redirects()
          : MirrorConfigLoader.loadTexts(texts), origins);
    }
    try {
      return new Result.Resolved(MirrorConfigLoader.loadTexts(texts), origins);
    } catch (MirrorConfigException | IllegalArgumentException e) {
      return new Result.Unresolved(e.getMessage());
    }
  }
}

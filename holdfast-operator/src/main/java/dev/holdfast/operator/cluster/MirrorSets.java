package dev.holdfast.operator.cluster;

import dev.holdfast.oci.mirror.MirrorConfigLoader;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cluster's mirror sets, read once (for {@code holdfast resolve --from-cluster}), as the
 * operator reads them: the kinds the cluster does not serve are skipped; any other error, an RBAC
 * refusal say, is thrown, never taken as "no mirror sets".
 */
public final class MirrorSets {
  private MirrorSets() {}

  /** What was read: the texts, and the kinds skipped because the cluster does not serve them. */
  public record Read(List<MirrorConfigLoader.Text> texts, List<String> notServed) {}

  /**
   * Lists ImageDigestMirrorSets, ImageTagMirrorSets and ImageContentSourcePolicies.
   *
   * @throws io.fabric8.kubernetes.client.KubernetesClientException when a served kind cannot be listed
   */
  public static Read read(KubernetesClient client) {
    List<MirrorConfigLoader.Text> texts = new ArrayList<>();
    List<String> notServed = new ArrayList<>();
    for (ResourceDefinitionContext kind : List.of(OpenShiftCluster.IDMS, OpenShiftCluster.ITMS, OpenShiftCluster.ICSP)) {
      if (!client.supports(kind.getGroup() + "/" + kind.getVersion(), kind.getKind())) {
        notServed.add(kind.getKind());
        continue;
      }
      client.genericKubernetesResources(kind).list().getItems().stream()
          .sorted(Comparator.comparing(o -> o.getMetadata().getName()))
          .forEach(o -> texts.add(text(client, o)));
    }
    return new Read(texts, notServed);
  }

  static MirrorConfigLoader.Text text(KubernetesClient client, GenericKubernetesResource object) {
    return new MirrorConfigLoader.Text(object.getKind() + " " + object.getMetadata().getName(),
        client.getKubernetesSerialization().asJson(object));
  }
}

package dev.holdfast.operator.reconcile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The object that owns what the operator creates (pull secrets, ImageCopies, the webhook's Secret and
 * configuration), when there is one: the installation's ClusterRole. Deleting the installation
 * (helm uninstall, make undeploy) deletes that ClusterRole, and the garbage collector then deletes
 * everything the operator created.
 */
public final class Owner {
  private static final Owner NONE = new Owner(Optional.empty());
  private final Optional<OwnerReference> reference;

  private Owner(Optional<OwnerReference> reference) {
    this.reference = reference;
  }

  /** No owner: what the operator creates stays until it is deleted (holdfast restore, kubectl). */
  public static Owner none() {
    return NONE;
  }

  /**
   * The ClusterRole {@code name} as owner.
   *
   * @throws IllegalStateException naming it when it does not exist
   */
  public static Owner clusterRole(KubernetesClient client, String name) {
    ClusterRole role = client.rbac().clusterRoles().withName(name).get();
    if (role == null) {
      throw new IllegalStateException("the owner ClusterRole " + name + " does not exist");
    }
    return new Owner(Optional.of(new OwnerReferenceBuilder().withApiVersion("rbac.authorization.k8s.io/v1")
        .withKind("ClusterRole").withName(name).withUid(role.getMetadata().getUid()).withController(false)
        .withBlockOwnerDeletion(false).build()));
  }

  /** {@code object}, owned by the owner if there is one. */
  public <T extends HasMetadata> T stamp(T object) {
    reference.ifPresent(owner -> {
      List<OwnerReference> owners = new ArrayList<>(object.getMetadata().getOwnerReferences() == null ? List.of()
          : object.getMetadata().getOwnerReferences());
      if (owners.stream().noneMatch(o -> owner.getUid().equals(o.getUid()))) {
        owners.add(owner);
      }
      object.getMetadata().setOwnerReferences(owners);
    });
    return object;
  }
}

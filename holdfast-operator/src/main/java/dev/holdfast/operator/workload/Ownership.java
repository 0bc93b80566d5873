package dev.holdfast.operator.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * Whether the operator handles an object itself, reaches it through its owner, or leaves it alone.
 *
 * <ul>
 *   <li>A mirror Pod (annotation {@code kubernetes.io/config.mirror}) is the API server's view of a
 *       static Pod, which the kubelet runs from a file: left alone.
 *   <li>An object whose controller is a kind Holdfast manages (a ReplicaSet of a Deployment, a Job
 *       of a CronJob, a Pod of any of them) is reached through that owner.
 *   <li>An object whose controller is any other kind (an operator's custom resource, such as
 *       CloudNativePG's Cluster) is left alone: patching it would make its operator loop.
 *   <li>An object of, or controlled by, a kind the policy lists in {@code skipOwnerKinds} is left
 *       alone.
 * </ul>
 */
public final class Ownership {
  /** The annotation the API server puts on mirror Pods. */
  public static final String MIRROR_POD = "kubernetes.io/config.mirror";

  private Ownership() {}

  /** What to do with an object. */
  public sealed interface Decision {
    /** Holdfast handles the object. */
    record Handle() implements Decision {}

    /** The object's controller, a managed kind, is handled instead. */
    record ViaOwner(String kind, String name) implements Decision {}

    /** Left alone, with the reason. */
    record LeaveAlone(String reason) implements Decision {}
  }

  /** Decides for {@code object}; {@code skipOwnerKinds} comes from the policy. */
  public static Decision of(HasMetadata object, Collection<String> skipOwnerKinds) {
    Map<String, String> annotations = object.getMetadata().getAnnotations();
    if (annotations != null && annotations.containsKey(MIRROR_POD)) {
      return new Decision.LeaveAlone("a mirror Pod of a static Pod");
    }
    if (skipped(skipOwnerKinds, object.getKind())) {
      return new Decision.LeaveAlone("the policy leaves " + object.getKind() + " objects alone");
    }
    Optional<OwnerReference> controller = controller(object);
    if (controller.isEmpty()) {
      return new Decision.Handle();
    }
    OwnerReference owner = controller.get();
    if (skipped(skipOwnerKinds, owner.getKind())) {
      return new Decision.LeaveAlone("owned by " + owner.getKind() + " " + owner.getName()
          + ", a kind the policy leaves alone");
    }
    if (WorkloadKind.of(owner.getKind()).isPresent() && isBuiltIn(owner.getApiVersion())) {
      return new Decision.ViaOwner(owner.getKind(), owner.getName());
    }
    return new Decision.LeaveAlone("owned by " + owner.getKind() + " " + owner.getName()
        + " (" + owner.getApiVersion() + "), which Holdfast does not manage");
  }

  // A policy's list is immutable, and an immutable list's contains(null) throws.
  private static boolean skipped(Collection<String> skipOwnerKinds, String kind) {
    return kind != null && skipOwnerKinds.contains(kind);
  }

  private static Optional<OwnerReference> controller(HasMetadata object) {
    var owners = object.getMetadata().getOwnerReferences();
    return owners == null ? Optional.empty()
        : owners.stream().filter(o -> Boolean.TRUE.equals(o.getController())).findFirst();
  }

  // A custom resource may be called Deployment too; only the built-in groups count.
  private static boolean isBuiltIn(String apiVersion) {
    return apiVersion != null && (apiVersion.equals("v1") || apiVersion.startsWith("apps/")
        || apiVersion.startsWith("batch/"));
  }
}

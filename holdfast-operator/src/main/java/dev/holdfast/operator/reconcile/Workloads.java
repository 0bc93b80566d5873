package dev.holdfast.operator.reconcile;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import dev.holdfast.operator.rewrite.OriginalImages;
import dev.holdfast.operator.workload.ImageField;
import dev.holdfast.operator.workload.Ownership;
import dev.holdfast.operator.workload.PodSpecImages;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.IndexerResourceCache;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The workloads the operator's controllers keep in their caches, one per kind, indexed by the
 * images they name (their current images and the originals they record). Reconciles them when
 * something they depend on changes: a copy became ready, a policy or a namespace changed.
 */
public final class Workloads {
  static final String BY_IMAGE = "holdfast-image";

  private record Registered(IndexerResourceCache<HasMetadata> cache, SimpleInboundEventSource<HasMetadata> trigger) {}

  private final Map<WorkloadKind, Registered> kinds = new ConcurrentHashMap<>();
  private volatile boolean synced;

  /** Called by each workload controller as it prepares its event sources. */
  @SuppressWarnings("unchecked")
  <W extends HasMetadata> void register(WorkloadKind kind, IndexerResourceCache<W> cache,
      SimpleInboundEventSource<W> trigger) {
    cache.addIndexer(BY_IMAGE, w -> images(kind, w));
    kinds.put(kind, new Registered((IndexerResourceCache<HasMetadata>) cache,
        (SimpleInboundEventSource<HasMetadata>) (SimpleInboundEventSource<?>) trigger));
  }

  /** The index keys of a workload: every normalised image it names or records as original. */
  static List<String> images(WorkloadKind kind, HasMetadata workload) {
    PodSpec spec = kind.podSpec(workload);
    Set<String> keys = new LinkedHashSet<>();
    Stream.concat(PodSpecImages.of(spec).stream().map(ImageField::image),
            OriginalImages.read(workload.getMetadata().getAnnotations()).values().stream())
        .forEach(image -> {
          try {
            keys.add(ImageReference.parse(image).toString());
          } catch (InvalidReferenceException e) {
            // not an image anyone can pull; the workload's own reconcile reports it
          }
        });
    return new ArrayList<>(keys);
  }

  /** Whether the workload {@code ns/Kind/name} is in a cache. */
  public boolean exists(String key) {
    String[] parts = key.split("/", 3);
    if (parts.length != 3) {
      return false;
    }
    return WorkloadKind.of(parts[1]).map(kinds::get)
        .map(r -> r.cache().get(new ResourceID(parts[2], parts[0])).isPresent()).orElse(false);
  }

  /** Reconciles every workload that names {@code source}. */
  public void reconcileUsersOf(ImageReference source) {
    kinds.values().forEach(r -> r.cache().byIndex(BY_IMAGE, source.toString())
        .forEach(w -> r.trigger().propagateEvent(ResourceID.fromResource(w))));
  }

  /** Reconciles every workload in {@code namespace}. */
  public void reconcileNamespace(String namespace) {
    kinds.values().forEach(r -> r.cache().list(namespace)
        .forEach(w -> r.trigger().propagateEvent(ResourceID.fromResource(w))));
  }

  /** Reconciles every workload. */
  public void reconcileAll() {
    kinds.values().forEach(r -> r.cache().list().forEach(w -> r.trigger().propagateEvent(ResourceID.fromResource(w))));
  }

  /**
   * How many workloads name {@code source}: top-level objects only (a Deployment counts, its
   * ReplicaSets and Pods do not), bare Pods included.
   */
  public int usedBy(ImageReference source) {
    int count = 0;
    for (Registered registered : kinds.values()) {
      count += (int) registered.cache().byIndex(BY_IMAGE, source.toString()).stream()
          .filter(w -> Ownership.of(w, List.of()) instanceof Ownership.Decision.Handle)
          .count();
    }
    return count;
  }

  /** Whether any workload is in {@code namespace}. */
  public boolean anyIn(String namespace) {
    return kinds.values().stream().anyMatch(r -> r.cache().list(namespace).findAny().isPresent());
  }

  /**
   * Whether any object names {@code source}, a ReplicaSet or Pod a controller owns included: what
   * retention counts as in use. Originals count, so a Pod pointed at a copy keeps it.
   */
  public boolean inUse(ImageReference source) {
    return kinds.values().stream().anyMatch(r -> !r.cache().byIndex(BY_IMAGE, source.toString()).isEmpty());
  }

  /** The top-level objects that name {@code source} (for Events about it). */
  public List<HasMetadata> usersOf(ImageReference source) {
    List<HasMetadata> users = new ArrayList<>();
    kinds.values().forEach(r -> r.cache().byIndex(BY_IMAGE, source.toString()).stream()
        .filter(w -> Ownership.of(w, List.of()) instanceof Ownership.Decision.Handle).forEach(users::add));
    return users;
  }

  /** Whether a workload in {@code namespace} lists {@code secret} in its Pod spec's imagePullSecrets. */
  public boolean referencesPullSecret(String namespace, String secret) {
    for (Map.Entry<WorkloadKind, Registered> entry : kinds.entrySet()) {
      boolean found = entry.getValue().cache().list(namespace).anyMatch(w -> {
        PodSpec spec = entry.getKey().podSpec(w);
        return spec != null && spec.getImagePullSecrets() != null
            && spec.getImagePullSecrets().stream().anyMatch(r -> secret.equals(r.getName()));
      });
      if (found) {
        return true;
      }
    }
    return false;
  }

  /** Called once every controller has started with a synced cache. */
  public void markSynced() {
    synced = true;
  }

  /** Whether every workload cache has synced: before that, no workload is known to be absent. */
  public boolean synced() {
    return synced && kinds.size() == WorkloadKind.values().length;
  }
}

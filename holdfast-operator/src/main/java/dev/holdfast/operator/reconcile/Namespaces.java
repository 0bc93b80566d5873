package dev.holdfast.operator.reconcile;

import dev.holdfast.operator.policy.PolicySelection;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The cluster's namespaces and their labels, kept by an informer. When a namespace's labels change
 * (a namespace selector or the opt-out label may now say otherwise), its workloads are reconciled.
 */
public final class Namespaces implements AutoCloseable {
  private final SharedIndexInformer<Namespace> informer;

  /** Starts the informer; {@code labelsChanged} hears the name of a namespace whose labels changed. */
  public Namespaces(KubernetesClient client, Consumer<String> labelsChanged) {
    this.informer = client.namespaces().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Namespace namespace) {}

      @Override
      public void onUpdate(Namespace before, Namespace after) {
        if (!Objects.equals(before.getMetadata().getLabels(), after.getMetadata().getLabels())) {
          labelsChanged.accept(after.getMetadata().getName());
        }
      }

      @Override
      public void onDelete(Namespace namespace, boolean unknownFinalState) {}
    });
  }

  /** The namespace as policy selection sees it; a namespace not (yet) known has no labels. */
  public PolicySelection.Namespace get(String name) {
    Namespace namespace = informer.getStore().getByKey(name);
    Map<String, String> labels = namespace == null ? Map.of() : namespace.getMetadata().getLabels();
    return new PolicySelection.Namespace(name, labels);
  }

  /** Whether the informer has listed the namespaces. */
  public boolean hasSynced() {
    return informer.hasSynced();
  }

  @Override
  public void close() {
    informer.close();
  }
}

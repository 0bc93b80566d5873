package dev.holdfast.operator.cluster;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The objects of one kind that may not be installed (an OpenShift configuration kind on a plain
 * cluster), kept by an informer once discovery says the API server serves the kind. While it does
 * not, the kind is {@link State.NotServed} (one info line, then asked again every 10 s, so a CRD
 * installed later is picked up without a restart). Any other error (RBAC, timeout, 5xx) is {@link
 * State.Failed} with its reason, never taken as "no objects".
 */
public final class ClusterResource implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterResource.class);
  static final Duration RECHECK = Duration.ofSeconds(10);

  /** Where a kind stands. */
  public sealed interface State {
    /** The API server does not serve the kind (no CRD). */
    record NotServed() implements State {}

    /** Listing or watching failed, with the reason. */
    record Failed(String reason) implements State {}

    /** Its objects are known. */
    record Watching() implements State {}
  }

  private final KubernetesClient client;
  private final ResourceDefinitionContext kind;
  private final ResourceDefinitionContext servedWhen;
  private final String namespace;
  private final String name;
  private final Runnable changed;
  private final ScheduledExecutorService scheduler;
  private volatile State state = new State.NotServed();
  private volatile SharedIndexInformer<GenericKubernetesResource> informer;
  private volatile boolean closed;
  private boolean saidNotServed;

  /**
   * Watches the objects of {@code kind} (only {@code name} in {@code namespace} when those are
   * given); {@code changed} hears every change of objects or state.
   */
  public ClusterResource(KubernetesClient client, ResourceDefinitionContext kind, String namespace, String name,
      Runnable changed, ScheduledExecutorService scheduler) {
    this(client, kind, kind, namespace, name, changed, scheduler);
  }

  /**
   * Watches the objects of {@code kind} when the cluster serves {@code servedWhen} (the ConfigMaps of
   * OpenShift's configuration namespaces, watched only where OpenShift's image configuration is).
   */
  public ClusterResource(KubernetesClient client, ResourceDefinitionContext kind, ResourceDefinitionContext servedWhen,
      String namespace, String name, Runnable changed, ScheduledExecutorService scheduler) {
    this.client = client;
    this.kind = kind;
    this.servedWhen = servedWhen;
    this.namespace = namespace;
    this.name = name;
    this.changed = changed;
    this.scheduler = scheduler;
  }

  /** Starts: asks discovery now, and again every 30 s while the kind is not served. */
  public void start() {
    scheduler.execute(this::discover);
  }

  private void discover() {
    if (closed) {
      return;
    }
    boolean served;
    try {
      served = client.supports(apiVersion(servedWhen), servedWhen.getKind());
    } catch (KubernetesClientException e) {
      fail("discovery of " + label() + " failed: " + e.getMessage());
      scheduler.schedule(this::discover, RECHECK.toSeconds(), TimeUnit.SECONDS);
      return;
    }
    if (!served) {
      if (!saidNotServed) {
        LOG.info("{} is not served by this cluster (no CRD): skipped; it is picked up if its CRD is installed",
            servedWhen == kind ? label() : label() + ", which " + servedWhen.getKind() + " configures,");
        saidNotServed = true;
      }
      state = new State.NotServed();
      scheduler.schedule(this::discover, RECHECK.toSeconds(), TimeUnit.SECONDS);
      return;
    }
    var resources = client.genericKubernetesResources(kind);
    var selected = namespace != null ? resources.inNamespace(namespace) : resources;
    SharedIndexInformer<GenericKubernetesResource> started = (name != null ? selected.withName(name) : selected)
        .runnableInformer(0);
    started.exceptionHandler((running, error) -> {
      fail(reason(error));
      return !closed; // keep trying: the condition says why until it works
    });
    started.addEventHandler(new ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource object) {
        changed.run();
      }

      @Override
      public void onUpdate(GenericKubernetesResource before, GenericKubernetesResource after) {
        changed.run();
      }

      @Override
      public void onDelete(GenericKubernetesResource object, boolean unknownFinalState) {
        changed.run();
      }
    });
    informer = started;
    started.start().whenComplete((ok, error) -> {
      if (error == null) {
        LOG.info("Watching {}", label());
        state = new State.Watching();
        changed.run();
      }
    });
  }

  private void fail(String reason) {
    if (!(state instanceof State.Failed failed) || !failed.reason().equals(reason)) {
      LOG.warn("{}", reason);
    }
    state = new State.Failed(reason);
    changed.run();
  }

  private String reason(Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && !(cause instanceof KubernetesClientException)) {
      cause = cause.getCause();
    }
    if (cause instanceof KubernetesClientException e && e.getCode() == 403) {
      return "listing " + label() + " is forbidden: " + e.getStatus().getMessage();
    }
    return "listing " + label() + " failed: " + cause.getMessage();
  }

  /** Where the kind stands. */
  public State state() {
    return state;
  }

  /** Its objects, when {@link State.Watching}; empty otherwise. */
  public List<GenericKubernetesResource> objects() {
    SharedIndexInformer<GenericKubernetesResource> current = informer;
    return state instanceof State.Watching && current != null ? List.copyOf(current.getStore().list()) : List.of();
  }

  private String apiVersion() {
    return apiVersion(kind);
  }

  private static String apiVersion(ResourceDefinitionContext kind) {
    return kind.getGroup() == null || kind.getGroup().isEmpty() ? kind.getVersion()
        : kind.getGroup() + "/" + kind.getVersion();
  }

  /** The kind, for messages: {@code ImageDigestMirrorSet (config.openshift.io/v1)}. */
  public String label() {
    return kind.getKind() + " (" + apiVersion() + ")"
        + (name != null ? " " + (namespace != null ? namespace + "/" : "") + name : "");
  }

  @Override
  public void close() {
    closed = true;
    SharedIndexInformer<GenericKubernetesResource> current = informer;
    if (current != null) {
      current.close();
    }
  }
}

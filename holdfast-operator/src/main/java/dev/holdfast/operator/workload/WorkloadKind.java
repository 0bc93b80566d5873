package dev.holdfast.operator.workload;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.util.Arrays;
import java.util.Optional;

/**
 * The kinds of object whose Pods Holdfast protects, and where each keeps its Pod spec.
 *
 * <p>A kind is patchable when its Pod template may be changed in place: a Job's template is
 * immutable, and a running Pod's pull secrets are too, so Jobs and bare Pods are copied but only
 * the admission webhook points their new Pods at the copies.
 */
public enum WorkloadKind {
  POD(Pod.class, "/spec", false),
  DEPLOYMENT(Deployment.class, "/spec/template/spec", true),
  STATEFUL_SET(StatefulSet.class, "/spec/template/spec", true),
  DAEMON_SET(DaemonSet.class, "/spec/template/spec", true),
  REPLICA_SET(ReplicaSet.class, "/spec/template/spec", true),
  JOB(Job.class, "/spec/template/spec", false),
  CRON_JOB(CronJob.class, "/spec/jobTemplate/spec/template/spec", true);

  private final Class<? extends HasMetadata> type;
  private final String podSpecPointer;
  private final boolean patchable;

  WorkloadKind(Class<? extends HasMetadata> type, String podSpecPointer, boolean patchable) {
    this.type = type;
    this.podSpecPointer = podSpecPointer;
    this.patchable = patchable;
  }

  /** The fabric8 model class. */
  public Class<? extends HasMetadata> type() {
    return type;
  }

  /** The Kubernetes kind: {@code Deployment}. */
  public String kind() {
    return HasMetadata.getKind(type);
  }

  /** The JSON pointer of the Pod spec in an object of this kind. */
  public String podSpecPointer() {
    return podSpecPointer;
  }

  /** The JSON pointer of the Pod template's metadata, or empty for a Pod. */
  public Optional<String> templateMetadataPointer() {
    return this == POD ? Optional.empty()
        : Optional.of(podSpecPointer.substring(0, podSpecPointer.length() - "/spec".length()) + "/metadata");
  }

  /** Whether the operator may patch the Pod template (see the class comment). */
  public boolean isPatchable() {
    return patchable;
  }

  /** The kind of {@code kind}, if Holdfast manages it. */
  public static Optional<WorkloadKind> of(String kind) {
    return Arrays.stream(values()).filter(k -> k.kind().equals(kind)).findFirst();
  }

  /** The kind of an object. */
  public static WorkloadKind of(HasMetadata object) {
    return Arrays.stream(values()).filter(k -> k.type.isInstance(object)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("not a workload: " + object.getKind()));
  }

  /** The Pod spec of an object of this kind; null when the object has none (yet). */
  public PodSpec podSpec(HasMetadata object) {
    PodTemplateSpec template = template(object);
    return object instanceof Pod pod ? pod.getSpec() : template == null ? null : template.getSpec();
  }

  /** The Pod template's metadata; null for a Pod or an object without a template. */
  public ObjectMeta templateMetadata(HasMetadata object) {
    PodTemplateSpec template = template(object);
    return template == null ? null : template.getMetadata();
  }

  private static PodTemplateSpec template(HasMetadata object) {
    return switch (object) {
      case Deployment d -> d.getSpec() == null ? null : d.getSpec().getTemplate();
      case StatefulSet s -> s.getSpec() == null ? null : s.getSpec().getTemplate();
      case DaemonSet d -> d.getSpec() == null ? null : d.getSpec().getTemplate();
      case ReplicaSet r -> r.getSpec() == null ? null : r.getSpec().getTemplate();
      case Job j -> j.getSpec() == null ? null : j.getSpec().getTemplate();
      case CronJob c -> c.getSpec() == null || c.getSpec().getJobTemplate() == null
          || c.getSpec().getJobTemplate().getSpec() == null ? null : c.getSpec().getJobTemplate().getSpec().getTemplate();
      default -> null;
    };
  }
}

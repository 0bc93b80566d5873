package dev.holdfast.operator.reconcile;

import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import java.util.List;

/**
 * One controller per workload kind: JOSDK learns a controller's resource from its class, so each
 * kind has a small subclass of {@link WorkloadReconciler}. Every event counts (labels and
 * annotations matter), not only new generations; a reconcile that has nothing to do reads only
 * memory.
 */
public final class WorkloadReconcilers {
  private WorkloadReconcilers() {}

  /** A controller for every kind. */
  public static List<WorkloadReconciler<?>> all(WorkloadReconciler.Shared shared) {
    return List.of(new Pods(shared), new Deployments(shared), new StatefulSets(shared), new DaemonSets(shared),
        new ReplicaSets(shared), new Jobs(shared), new CronJobs(shared));
  }

  @ControllerConfiguration(name = "pod", generationAwareEventProcessing = false)
  static final class Pods extends WorkloadReconciler<Pod> {
    Pods(Shared shared) {
      super(WorkloadKind.POD, shared);
    }
  }

  @ControllerConfiguration(name = "deployment", generationAwareEventProcessing = false)
  static final class Deployments extends WorkloadReconciler<Deployment> {
    Deployments(Shared shared) {
      super(WorkloadKind.DEPLOYMENT, shared);
    }
  }

  @ControllerConfiguration(name = "statefulset", generationAwareEventProcessing = false)
  static final class StatefulSets extends WorkloadReconciler<StatefulSet> {
    StatefulSets(Shared shared) {
      super(WorkloadKind.STATEFUL_SET, shared);
    }
  }

  @ControllerConfiguration(name = "daemonset", generationAwareEventProcessing = false)
  static final class DaemonSets extends WorkloadReconciler<DaemonSet> {
    DaemonSets(Shared shared) {
      super(WorkloadKind.DAEMON_SET, shared);
    }
  }

  @ControllerConfiguration(name = "replicaset", generationAwareEventProcessing = false)
  static final class ReplicaSets extends WorkloadReconciler<ReplicaSet> {
    ReplicaSets(Shared shared) {
      super(WorkloadKind.REPLICA_SET, shared);
    }
  }

  @ControllerConfiguration(name = "job", generationAwareEventProcessing = false)
  static final class Jobs extends WorkloadReconciler<Job> {
    Jobs(Shared shared) {
      super(WorkloadKind.JOB, shared);
    }
  }

  @ControllerConfiguration(name = "cronjob", generationAwareEventProcessing = false)
  static final class CronJobs extends WorkloadReconciler<CronJob> {
    CronJobs(Shared shared) {
      super(WorkloadKind.CRON_JOB, shared);
    }
  }
}

package dev.holdfast.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Whether the operator handles an object, reaches it through its controller, or leaves it alone. */
class OwnershipTest {

  private static OwnerReference owner(String apiVersion, String kind, String name, Boolean controller) {
    return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name)
        .withUid("uid-" + name).withController(controller).build();
  }

  private static Pod pod(Map<String, String> annotations, OwnerReference... owners) {
    return new PodBuilder().withNewMetadata().withName("p").withNamespace("shop").withAnnotations(annotations)
        .withOwnerReferences(owners).endMetadata().build();
  }

  private static Pod pod(OwnerReference... owners) {
    return pod(null, owners);
  }

  // --- objects without a controller ---

  @Test
  void anObjectWithoutOwnersIsHandled() {
    assertThat(Ownership.of(pod(), List.of())).isEqualTo(new Ownership.Decision.Handle());
  }

  @Test
  void absentAnnotationsAndOwnerReferencesAreHandled() {
    Pod pod = new Pod();
    pod.setMetadata(new ObjectMeta());
    pod.getMetadata().setAnnotations(null);
    pod.getMetadata().setOwnerReferences(null);

    assertThat(Ownership.of(pod, List.of())).isInstanceOf(Ownership.Decision.Handle.class);
  }

  @ParameterizedTest(name = "controller={0}")
  @CsvSource(value = {"false", "null"}, nullValues = "null")
  void ownersThatAreNotTheControllerDoNotCount(Boolean controller) {
    // Only the controller reference decides: a non-controlling owner (even a custom resource) does not.
    Pod pod = pod(owner("example.com/v1", "Cluster", "pg", controller), owner("apps/v1", "ReplicaSet", "rs",
        controller));

    assertThat(Ownership.of(pod, List.of())).isInstanceOf(Ownership.Decision.Handle.class);
  }

  // --- controlled by a kind Holdfast manages: reached through it ---

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      "apps/v1,      ReplicaSet",
      "apps/v1,      StatefulSet",
      "apps/v1,      DaemonSet",
      "apps/v1,      Deployment",
      "batch/v1,     Job",
      "batch/v1,     CronJob",
      "apps/v1beta2, ReplicaSet",
      "v1,           Pod",
  })
  void aControllerOfAManagedKindInABuiltInGroupIsHandledInstead(String apiVersion, String kind) {
    Pod pod = pod(owner(apiVersion, kind, "owner-1", true));

    assertThat(Ownership.of(pod, List.of())).isEqualTo(new Ownership.Decision.ViaOwner(kind, "owner-1"));
  }

  @Test
  void theControllerIsFoundAmongSeveralOwners() {
    Pod pod = pod(owner("example.com/v1", "Backup", "b", false), owner("apps/v1", "ReplicaSet", "web-7d9", true));

    assertThat(Ownership.of(pod, List.of())).isEqualTo(new Ownership.Decision.ViaOwner("ReplicaSet", "web-7d9"));
  }

  @Test
  void aReplicaSetOfADeploymentAndAJobOfACronJobAreReachedThroughTheirOwners() {
    ReplicaSet replicaSet = new ReplicaSetBuilder().withNewMetadata().withName("web-7d9")
        .withOwnerReferences(owner("apps/v1", "Deployment", "web", true)).endMetadata().build();
    Job job = new JobBuilder().withNewMetadata().withName("nightly-29")
        .withOwnerReferences(owner("batch/v1", "CronJob", "nightly", true)).endMetadata().build();

    assertThat(Ownership.of(replicaSet, List.of())).isEqualTo(new Ownership.Decision.ViaOwner("Deployment", "web"));
    assertThat(Ownership.of(job, List.of())).isEqualTo(new Ownership.Decision.ViaOwner("CronJob", "nightly"));
  }

  // --- controlled by something else: left alone ---

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
      // an operator's custom resource
      "postgresql.cnpg.io/v1,        Cluster",
      "kafka.strimzi.io/v1beta2,     StrimziPodSet",
      // custom resources named like built-in kinds, in other API groups
      "example.com/v1,               Deployment",
      "apps.example.com/v1,          StatefulSet",
      "batch.volcano.sh/v1alpha1,    Job",
      "argoproj.io/v1alpha1,         Rollout",
      "appsv1,                       ReplicaSet",
      // a built-in kind Holdfast does not manage
      "v1,                           Node",
      "v1,                           ReplicationController",
  })
  void aControllerOfAnotherKindOrGroupLeavesTheObjectAlone(String apiVersion, String kind) {
    Pod pod = pod(owner(apiVersion, kind, "x", true));

    Ownership.Decision decision = Ownership.of(pod, List.of());

    assertThat(decision).isInstanceOfSatisfying(Ownership.Decision.LeaveAlone.class,
        d -> assertThat(d.reason()).contains(kind).contains(apiVersion));
  }

  @Test
  void aControllerWithoutApiVersionIsNotTakenForABuiltInKind() {
    Pod pod = pod(owner(null, "ReplicaSet", "rs", true));

    assertThat(Ownership.of(pod, List.of())).isInstanceOf(Ownership.Decision.LeaveAlone.class);
  }

  // --- mirror Pods ---

  @Test
  void aMirrorPodIsLeftAloneWhateverItsOwner() {
    Pod mirror = pod(Map.of(Ownership.MIRROR_POD, "0123abcd"), owner("v1", "Node", "node-1", true));
    Pod mirrorWithoutOwner = pod(Map.of(Ownership.MIRROR_POD, ""));

    assertThat(Ownership.of(mirror, List.of())).isInstanceOfSatisfying(Ownership.Decision.LeaveAlone.class,
        d -> assertThat(d.reason()).containsIgnoringCase("mirror"));
    assertThat(Ownership.of(mirrorWithoutOwner, List.of())).isInstanceOf(Ownership.Decision.LeaveAlone.class);
  }

  @Test
  void otherAnnotationsDoNotMakeAMirrorPod() {
    Pod pod = pod(Map.of("kubernetes.io/config.source", "file", "kubernetes.io/config.hash", "abc"));

    assertThat(Ownership.of(pod, List.of())).isInstanceOf(Ownership.Decision.Handle.class);
  }

  // --- skipOwnerKinds ---

  @Test
  void anObjectOfASkippedKindIsLeftAlone() {
    Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("web").endMetadata().build();

    assertThat(Ownership.of(deployment, List.of("Deployment")))
        .isInstanceOfSatisfying(Ownership.Decision.LeaveAlone.class,
            d -> assertThat(d.reason()).contains("Deployment"));
    assertThat(Ownership.of(deployment, List.of("StatefulSet"))).isInstanceOf(Ownership.Decision.Handle.class);
  }

  @Test
  void anObjectControlledByASkippedKindIsLeftAloneEvenWhenThatKindIsManaged() {
    Pod pod = pod(owner("apps/v1", "ReplicaSet", "web-7d9", true));

    assertThat(Ownership.of(pod, List.of("ReplicaSet"))).isInstanceOfSatisfying(Ownership.Decision.LeaveAlone.class,
        d -> assertThat(d.reason()).contains("ReplicaSet").contains("web-7d9"));
  }

  @Test
  void skipOwnerKindsAreCaseSensitiveKindNames() {
    // Kinds are CamelCase identifiers; "replicaset" names no kind, so nothing is skipped.
    Pod pod = pod(owner("apps/v1", "ReplicaSet", "web-7d9", true));

    assertThat(Ownership.of(pod, List.of("replicaset", "Pods")))
        .isEqualTo(new Ownership.Decision.ViaOwner("ReplicaSet", "web-7d9"));
  }

  @Test
  void skippingANonControllingOwnersKindChangesNothing() {
    Pod pod = pod(owner("example.com/v1", "Backup", "b", false));

    assertThat(Ownership.of(pod, List.of("Backup"))).isInstanceOf(Ownership.Decision.Handle.class);
  }

  // --- invalid but must not crash ---

  @Test
  void anOwnerReferenceWithMissingFieldsDoesNotCrash() {
    // (fabric8 fills in kind and apiVersion of a new OwnerReference; they are cleared here.)
    List<OwnerReference> owners = new ArrayList<>();
    owners.add(new OwnerReferenceBuilder().withKind(null).withApiVersion(null).build());
    owners.add(new OwnerReferenceBuilder().withKind(null).withApiVersion(null).withController(true).build());
    HasMetadata pod = new PodBuilder().withNewMetadata().withName("p").withOwnerReferences(owners).endMetadata()
        .build();

    assertThat(Ownership.of(pod, List.of())).isInstanceOf(Ownership.Decision.LeaveAlone.class);
    assertThat(Ownership.of(pod, List.of("Cluster"))).isInstanceOf(Ownership.Decision.LeaveAlone.class);
  }

  @Test
  void anObjectWithoutKindIsJudgedByItsOwnersAlone() {
    Pod pod = pod(owner("apps/v1", "ReplicaSet", "web-7d9", true));
    pod.setKind(null);

    assertThat(Ownership.of(pod, List.of("Cluster"))).isEqualTo(new Ownership.Decision.ViaOwner("ReplicaSet",
        "web-7d9"));
  }
}

package dev.holdfast.operator.workload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.apps.DaemonSetBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Where each kind keeps its Pod spec and template metadata, and which kinds may be patched. The
 * pointers are checked against the serialised objects, so a wrong pointer fails however it is spelt.
 */
class WorkloadKindTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static PodSpec spec(String image) {
    return new PodSpecBuilder().addNewContainer().withName("c").withImage(image).endContainer().build();
  }

  private static final Map<String, String> TEMPLATE_LABELS = Map.of("app", "demo");

  /** One object of every kind, with a Pod spec naming {@code image} and template labels app=demo. */
  static HasMetadata objectOf(WorkloadKind kind, String image) {
    return switch (kind) {
      case POD -> new PodBuilder().withNewMetadata().withName("p").withLabels(TEMPLATE_LABELS).endMetadata()
          .withSpec(spec(image)).build();
      case DEPLOYMENT -> new DeploymentBuilder().withNewMetadata().withName("d").endMetadata().withNewSpec()
          .withNewTemplate().withNewMetadata().withLabels(TEMPLATE_LABELS).endMetadata().withSpec(spec(image))
          .endTemplate().endSpec().build();
      case STATEFUL_SET -> new StatefulSetBuilder().withNewMetadata().withName("s").endMetadata().withNewSpec()
          .withNewTemplate().withNewMetadata().withLabels(TEMPLATE_LABELS).endMetadata().withSpec(spec(image))
          .endTemplate().endSpec().build();
      case DAEMON_SET -> new DaemonSetBuilder().withNewMetadata().withName("ds").endMetadata().withNewSpec()
          .withNewTemplate().withNewMetadata().withLabels(TEMPLATE_LABELS).endMetadata().withSpec(spec(image))
          .endTemplate().endSpec().build();
      case REPLICA_SET -> new ReplicaSetBuilder().withNewMetadata().withName("rs").endMetadata().withNewSpec()
          .withNewTemplate().withNewMetadata().withLabels(TEMPLATE_LABELS).endMetadata().withSpec(spec(image))
          .endTemplate().endSpec().build();
      case JOB -> new JobBuilder().withNewMetadata().withName("j").endMetadata().withNewSpec()
          .withNewTemplate().withNewMetadata().withLabels(TEMPLATE_LABELS).endMetadata().withSpec(spec(image))
          .endTemplate().endSpec().build();
      case CRON_JOB -> new CronJobBuilder().withNewMetadata().withName("cj").endMetadata().withNewSpec()
          .withSchedule("0 3 * * *").withNewJobTemplate().withNewSpec().withNewTemplate().withNewMetadata()
          .withLabels(TEMPLATE_LABELS).endMetadata().withSpec(spec(image)).endTemplate().endSpec().endJobTemplate()
          .endSpec().build();
    };
  }

  // --- kinds and patchability ---

  @ParameterizedTest(name = "{0} is {1}, patchable={2}")
  @CsvSource({
      "POD,          Pod,         false",
      "DEPLOYMENT,   Deployment,  true",
      "STATEFUL_SET, StatefulSet, true",
      "DAEMON_SET,   DaemonSet,   true",
      "REPLICA_SET,  ReplicaSet,  true",
      "JOB,          Job,         false",
      "CRON_JOB,     CronJob,     true",
  })
  void kindNamesAndPatchability(WorkloadKind kind, String name, boolean patchable) {
    assertThat(kind.kind()).isEqualTo(name);
    assertThat(kind.isPatchable()).isEqualTo(patchable);
    assertThat(WorkloadKind.of(name)).contains(kind);
  }

  @ParameterizedTest(name = "\"{0}\" is not managed")
  @NullAndEmptySource
  @ValueSource(strings = {"ConfigMap", "deployment", "DEPLOYMENT", "Deployments", "Cluster", "Node", " Pod"})
  void otherKindNamesAreNotManaged(String name) {
    assertThat(WorkloadKind.of(name)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void anObjectIsRecognisedByItsModelClass(WorkloadKind kind) {
    HasMetadata object = objectOf(kind, "nginx:1.27");
    assertThat(WorkloadKind.of(object)).isEqualTo(kind);
    assertThat(kind.type()).isEqualTo(object.getClass());
    assertThat(object.getKind()).isEqualTo(kind.kind());
  }

  @Test
  void anObjectOfAnotherKindIsRefusedNamingItsKind() {
    assertThatThrownBy(() -> WorkloadKind.of(new ConfigMapBuilder().withNewMetadata().withName("c").endMetadata()
        .build())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ConfigMap");
  }

  // --- pointers, checked against the serialised object ---

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void thePodSpecPointerAddressesThePodSpec(WorkloadKind kind) throws Exception {
    JsonNode json = JSON.readTree(Serialization.asJson(objectOf(kind, "nginx:1.27")));

    assertThat(json.at(kind.podSpecPointer() + "/containers/0/image").asText()).isEqualTo("nginx:1.27");
  }

  @ParameterizedTest
  @EnumSource(value = WorkloadKind.class, names = "POD", mode = EnumSource.Mode.EXCLUDE)
  void theTemplateMetadataPointerAddressesTheTemplatesMetadata(WorkloadKind kind) throws Exception {
    JsonNode json = JSON.readTree(Serialization.asJson(objectOf(kind, "nginx:1.27")));

    Optional<String> pointer = kind.templateMetadataPointer();
    assertThat(pointer).isPresent();
    assertThat(json.at(pointer.get() + "/labels/app").asText()).isEqualTo("demo");
    assertThat(pointer.get()).endsWith("/metadata").doesNotContain("/spec/metadata");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @CsvSource({
      "DEPLOYMENT, /spec/template/metadata",
      "CRON_JOB,   /spec/jobTemplate/spec/template/metadata",
      "JOB,        /spec/template/metadata",
  })
  void templateMetadataPointers(WorkloadKind kind, String pointer) {
    assertThat(kind.templateMetadataPointer()).contains(pointer);
  }

  @Test
  void aPodHasNoTemplate() {
    Pod pod = (Pod) objectOf(WorkloadKind.POD, "nginx:1.27");
    assertThat(WorkloadKind.POD.templateMetadataPointer()).isEmpty();
    assertThat(WorkloadKind.POD.templateMetadata(pod)).isNull();
  }

  // --- reading the Pod spec and template metadata ---

  @ParameterizedTest
  @EnumSource(WorkloadKind.class)
  void thePodSpecIsTheOneTheObjectHolds(WorkloadKind kind) {
    HasMetadata object = objectOf(kind, "ghcr.io/acme/app:3");

    PodSpec spec = kind.podSpec(object);

    assertThat(spec).isNotNull();
    assertThat(spec.getContainers()).singleElement().extracting(c -> c.getImage()).isEqualTo("ghcr.io/acme/app:3");
  }

  @ParameterizedTest
  @EnumSource(value = WorkloadKind.class, names = "POD", mode = EnumSource.Mode.EXCLUDE)
  void theTemplateMetadataIsTheTemplatesNotTheObjects(WorkloadKind kind) {
    HasMetadata object = objectOf(kind, "nginx:1.27");

    assertThat(kind.templateMetadata(object)).isNotNull()
        .satisfies(m -> assertThat(m.getLabels()).isEqualTo(TEMPLATE_LABELS))
        .isNotSameAs(object.getMetadata());
  }

  // --- objects without a spec (yet): null, no crash ---

  static Stream<Arguments> objectsWithoutPodSpec() {
    CronJob noJobTemplate = new CronJobBuilder().withNewMetadata().withName("cj").endMetadata().withNewSpec()
        .withSchedule("* * * * *").endSpec().build();
    CronJob noJobSpec = new CronJobBuilder().withNewMetadata().withName("cj").endMetadata().withNewSpec()
        .withNewJobTemplate().endJobTemplate().endSpec().build();
    CronJob noTemplate = new CronJobBuilder().withNewMetadata().withName("cj").endMetadata().withNewSpec()
        .withNewJobTemplate().withNewSpec().endSpec().endJobTemplate().endSpec().build();
    Deployment noSpec = new DeploymentBuilder().withNewMetadata().withName("d").endMetadata().build();
    Deployment noDeploymentTemplate = new DeploymentBuilder().withNewMetadata().withName("d").endMetadata()
        .withNewSpec().endSpec().build();
    return Stream.of(
        Arguments.of(WorkloadKind.POD, new PodBuilder().withNewMetadata().withName("p").endMetadata().build()),
        Arguments.of(WorkloadKind.DEPLOYMENT, noSpec),
        Arguments.of(WorkloadKind.DEPLOYMENT, noDeploymentTemplate),
        Arguments.of(WorkloadKind.STATEFUL_SET, new StatefulSetBuilder().withNewMetadata().withName("s")
            .endMetadata().build()),
        Arguments.of(WorkloadKind.DAEMON_SET, new DaemonSetBuilder().withNewMetadata().withName("s")
            .endMetadata().build()),
        Arguments.of(WorkloadKind.REPLICA_SET, new ReplicaSetBuilder().withNewMetadata().withName("s")
            .endMetadata().build()),
        Arguments.of(WorkloadKind.JOB, new JobBuilder().withNewMetadata().withName("j").endMetadata().build()),
        Arguments.of(WorkloadKind.CRON_JOB, noJobTemplate),
        Arguments.of(WorkloadKind.CRON_JOB, noJobSpec),
        Arguments.of(WorkloadKind.CRON_JOB, noTemplate));
  }

  @ParameterizedTest(name = "{0} {index}")
  @MethodSource("objectsWithoutPodSpec")
  void anObjectWithoutPodSpecHasNone(WorkloadKind kind, HasMetadata object) {
    assertThat(kind.podSpec(object)).isNull();
    assertThat(kind.templateMetadata(object)).isNull();
  }
}

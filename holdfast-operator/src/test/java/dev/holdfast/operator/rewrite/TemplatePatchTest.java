package dev.holdfast.operator.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.operator.workload.ImageField;
import dev.holdfast.operator.workload.WorkloadKind;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.CronJob;
import io.fabric8.kubernetes.api.model.batch.v1.CronJobBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The JSON patches, applied with a JSON Patch implementation to the object they were made for. */
class TemplatePatchTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Deployment deployment(Map<String, String> annotations, List<String> pullSecrets) {
    DeploymentBuilder builder = new DeploymentBuilder()
        .withNewMetadata().withName("web").withNamespace("shop").withAnnotations(annotations).endMetadata()
        .withNewSpec().withNewTemplate().withNewMetadata().withLabels(Map.of("app", "web")).endMetadata()
        .withNewSpec()
          .addNewInitContainer().withName("migrate").withImage("ghcr.io/acme/migrate:2").endInitContainer()
          .addNewContainer().withName("web").withImage("nginx:1.27").endContainer()
        .endSpec().endTemplate().endSpec();
    Deployment deployment = builder.build();
    pullSecrets.forEach(name -> deployment.getSpec().getTemplate().getSpec().getImagePullSecrets()
        .add(new io.fabric8.kubernetes.api.model.LocalObjectReference(name)));
    return deployment;
  }

  private static JsonNode apply(Object object, String patch) throws Exception {
    return JsonPatch.apply(JSON.readTree(patch), JSON.readTree(Serialization.asJson(object)));
  }

  @Test
  void rewritesTheChangedFieldsRecordsOriginalsAndAppendsThePullSecret() throws Exception {
    Deployment web = deployment(null, List.of("keep-me"));
    RewritePlan.Rewrite rewrite = new RewritePlan.Rewrite(List.of(
        new RewritePlan.Change(new ImageField("containers/web", "/containers/0/image", "nginx:1.27"),
            "copies.example.com/keep/docker.io/library/nginx:1.27@sha256:" + "a".repeat(64))),
        Map.of("containers/web", "nginx:1.27"), Optional.of("holdfast-pull"));

    JsonNode patched = apply(web, TemplatePatch.rewrite(WorkloadKind.DEPLOYMENT, web, rewrite));

    JsonNode spec = patched.at("/spec/template/spec");
    assertThat(spec.at("/containers/0/image").asText())
        .isEqualTo("copies.example.com/keep/docker.io/library/nginx:1.27@sha256:" + "a".repeat(64));
    assertThat(spec.at("/initContainers/0/image").asText()).isEqualTo("ghcr.io/acme/migrate:2");
    assertThat(spec.at("/imagePullSecrets").toString()).isEqualTo("[{\"name\":\"keep-me\"},{\"name\":\"holdfast-pull\"}]");
    assertThat(patched.at("/metadata/annotations/holdfast.dev~1original-images").asText())
        .isEqualTo("{\"containers/web\":\"nginx:1.27\"}");
    assertThat(patched.at("/metadata/annotations/holdfast.dev~1pull-secret").asText()).isEqualTo("holdfast-pull");
    assertThat(patched.at("/metadata/annotations/holdfast.dev~1copy-images").asText())
        .isEqualTo("{\"containers/web\":\"copies.example.com/keep/docker.io/library/nginx:1.27@sha256:" + "a".repeat(64)
            + "\"}");
    assertThat(patched.at("/spec/template/metadata/annotations/holdfast.dev~1original-images").asText())
        .isEqualTo("{\"containers/web\":\"nginx:1.27\"}");
    assertThat(patched.at("/spec/template/metadata/labels/app").asText()).isEqualTo("web");
  }

  @Test
  void restorePutsBackTheOriginalsAndRemovesWhatTheOperatorAdded() throws Exception {
    Deployment web = deployment(null, List.of("keep-me"));
    RewritePlan.Rewrite rewrite = new RewritePlan.Rewrite(List.of(
        new RewritePlan.Change(new ImageField("containers/web", "/containers/0/image", "nginx:1.27"),
            "copies.example.com/keep/docker.io/library/nginx:1.27@sha256:" + "a".repeat(64))),
        Map.of("containers/web", "nginx:1.27"), Optional.of("holdfast-pull"));
    Deployment patched = Serialization.unmarshal(
        apply(web, TemplatePatch.rewrite(WorkloadKind.DEPLOYMENT, web, rewrite)).toString(), Deployment.class);

    JsonNode restored = apply(patched,
        TemplatePatch.restore(WorkloadKind.DEPLOYMENT, patched).orElseThrow());

    assertThat(restored.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.27");
    assertThat(restored.at("/spec/template/spec/imagePullSecrets").toString()).isEqualTo("[{\"name\":\"keep-me\"}]");
    assertThat(restored.at("/metadata/annotations").size()).isZero();
    assertThat(restored.at("/spec/template/metadata/annotations").size()).isZero();
    assertThat(TemplatePatch.restore(WorkloadKind.DEPLOYMENT, web)).isEmpty();
  }

  @Test
  void restoreLeavesAFieldSomeoneChangedSinceTheRewrite() throws Exception {
    Deployment web = deployment(null, List.of());
    RewritePlan.Rewrite rewrite = new RewritePlan.Rewrite(List.of(
        new RewritePlan.Change(new ImageField("containers/web", "/containers/0/image", "nginx:1.27"),
            "copies.example.com/keep/docker.io/library/nginx:1.27@sha256:" + "a".repeat(64))),
        Map.of("containers/web", "nginx:1.27"), Optional.empty());
    Deployment patched = Serialization.unmarshal(
        apply(web, TemplatePatch.rewrite(WorkloadKind.DEPLOYMENT, web, rewrite)).toString(), Deployment.class);
    patched.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("nginx:1.28");

    JsonNode restored = apply(patched, TemplatePatch.restore(WorkloadKind.DEPLOYMENT, patched).orElseThrow());

    assertThat(restored.at("/spec/template/spec/containers/0/image").asText()).isEqualTo("nginx:1.28");
    assertThat(restored.at("/metadata/annotations").size()).isZero();
  }

  @Test
  void aCronJobIsPatchedInItsJobTemplateAndAnExistingAnnotationMapIsKept() throws Exception {
    CronJob nightly = new CronJobBuilder()
        .withNewMetadata().withName("nightly").withAnnotations(Map.of("team", "data")).endMetadata()
        .withNewSpec().withSchedule("0 3 * * *").withNewJobTemplate().withNewSpec().withNewTemplate().withNewSpec()
        .addNewContainer().withName("job").withImage("busybox:1.36").endContainer()
        .endSpec().endTemplate().endSpec().endJobTemplate().endSpec().build();
    RewritePlan.Rewrite rewrite = new RewritePlan.Rewrite(List.of(
        new RewritePlan.Change(new ImageField("containers/job", "/containers/0/image", "busybox:1.36"), "c/busybox@sha256:"
            + "b".repeat(64))), Map.of("containers/job", "busybox:1.36"), Optional.empty());

    JsonNode patched = apply(nightly, TemplatePatch.rewrite(WorkloadKind.CRON_JOB, nightly, rewrite));

    assertThat(patched.at("/spec/jobTemplate/spec/template/spec/containers/0/image").asText())
        .isEqualTo("c/busybox@sha256:" + "b".repeat(64));
    assertThat(patched.at("/metadata/annotations/team").asText()).isEqualTo("data");
    assertThat(patched.at("/spec/jobTemplate/spec/template/metadata/annotations/holdfast.dev~1original-images")
        .asText()).isEqualTo("{\"containers/job\":\"busybox:1.36\"}");
    assertThat(patched.at("/spec/jobTemplate/spec/template/spec/imagePullSecrets").isMissingNode()).isTrue();
  }

  @Test
  void aStaleReadFailsTheTestOperationInsteadOfOverwriting() throws Exception {
    Deployment web = deployment(null, List.of());
    RewritePlan.Rewrite rewrite = new RewritePlan.Rewrite(List.of(
        new RewritePlan.Change(new ImageField("containers/web", "/containers/0/image", "nginx:1.26"), "c/x@sha256:"
            + "c".repeat(64))), Map.of("containers/web", "nginx:1.26"), Optional.empty());
    String patch = TemplatePatch.rewrite(WorkloadKind.DEPLOYMENT, web, rewrite);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> apply(web, patch))
        .hasMessageContaining("Expected value \"nginx:1.26\" but found value \"nginx:1.27\"");
  }
}

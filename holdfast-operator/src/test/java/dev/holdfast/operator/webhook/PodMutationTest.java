package dev.holdfast.operator.webhook;

import static dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm.Digest;
import static dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm.TagAndDigest;
import static dev.holdfast.operator.api.ImagePolicySpec.RewriteMode.Webhook;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.operator.api.ImagePolicySpec;
import dev.holdfast.operator.api.SecretReference;
import dev.holdfast.operator.policy.Policy;
import dev.holdfast.operator.pullsecret.PullSecrets;
import dev.holdfast.operator.rewrite.RewritePlan;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the webhook does to a Pod, decided from memory: every patch is applied with a JSON Patch
 * implementation to the Pod's JSON, and the result is what is asserted.
 */
class PodMutationTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static final String SHA = FakeState.SHA;
  private static final String PINNED = "sha256:" + "a".repeat(64);
  private static final String PULL = "holdfast-pull-shop";

  private static final Policy SHOP = FakeState.policy("shop", Webhook, TagAndDigest, true);
  private static final String NGINX_COPY = "copies.example.com/keep/docker.io/library/nginx:1.27@" + SHA;
  private static final String MIGRATE_COPY = "copies.example.com/keep/ghcr.io/acme/migrate:2@" + SHA;

  /** An init container, a container with a copy and one without. */
  private static final String WEB = """
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: shop
        labels: {app: web}
      spec:
        initContainers:
        - {name: migrate, image: "ghcr.io/acme/migrate:2"}
        containers:
        - {name: web, image: "nginx:1.27"}
        - {name: side, image: "quay.io/acme/unverified:1"}
      """;

  /** Policy {@code shop}; nginx and migrate verified; the pull secret exists in shop. */
  private static FakeState shop() {
    return new FakeState(SHOP).verified("nginx:1.27", "ghcr.io/acme/migrate:2").secret("shop", PULL);
  }

  // --- helpers ---

  /** What a decision made of the Pod: the reason it was left alone, or the Pod after the patch. */
  private record Result(String unchanged, JsonNode pod, JsonNode patch, List<RewritePlan.Change> changes) {
    boolean patched() {
      return unchanged == null;
    }

    String at(String pointer) {
      return pod.at(pointer).asText();
    }

    /** The JSON pointers the patch writes (test operations left out). */
    List<String> written() {
      List<String> paths = new ArrayList<>();
      patch.forEach(op -> {
        if (!op.path("op").asText().equals("test")) {
          paths.add(op.path("path").asText());
        }
      });
      return paths;
    }

    Map<String, String> annotation(String key) throws Exception {
      String text = pod.at("/metadata/annotations").path(key).asText(null);
      return text == null ? null : JSON.readValue(text, new com.fasterxml.jackson.core.type.TypeReference<>() {});
    }
  }

  private static Pod pod(String yaml) {
    return KUBE.unmarshal(yaml, Pod.class);
  }

  private static Result create(FakeState state, String podYaml) throws Exception {
    return decide(state, new PodMutation.Request("CREATE", "", false, "shop", pod(podYaml), null));
  }

  private static Result decide(FakeState state, PodMutation.Request request) throws Exception {
    PodMutation.Outcome outcome = PodMutation.decide(request, state);
    return switch (outcome) {
      case PodMutation.Outcome.Unchanged(String reason) -> new Result(reason, null, null, List.of());
      case PodMutation.Outcome.Patched(String patch, List<RewritePlan.Change> changes) -> {
        JsonNode ops = JSON.readTree(patch);
        JsonNode before = JSON.readTree(KUBE.asJson(request.pod()));
        yield new Result(null, JsonPatch.apply(ops, before), ops, changes);
      }
    };
  }

  private static String result(Result result, String pointer) {
    return result.patched() ? result.at(pointer) : "unchanged: " + result.unchanged();
  }

  private static Map<String, String> labels(String text) {
    Map<String, String> labels = new HashMap<>();
    if (!text.equals("-")) {
      Arrays.stream(text.split(",")).map(kv -> kv.split("=", 2)).forEach(kv -> labels.put(kv[0], kv[1]));
    }
    return labels;
  }

  // --- which requests are looked at ---

  @ParameterizedTest(name = "{0} {1} dryRun={2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      CREATE  | -                   | false | patched
      CREATE  | -                   | true  | a dry run
      UPDATE  | ephemeralcontainers | true  | a dry run
      UPDATE  | -                   | false | not a Pod creation or an ephemeral container update
      DELETE  | -                   | false | not a Pod creation or an ephemeral container update
      CONNECT | exec                | false | not a Pod creation or an ephemeral container update
      CREATE  | binding             | false | not a Pod creation or an ephemeral container update
      CREATE  | eviction            | false | not a Pod creation or an ephemeral container update
      UPDATE  | status              | false | not a Pod creation or an ephemeral container update
      create  | -                   | false | not a Pod creation or an ephemeral container update
      -       | -                   | false | not a Pod creation or an ephemeral container update
      """)
  void onlyCreationsAndEphemeralContainerUpdatesThatAreNotDryRuns(String operation, String subResource,
      boolean dryRun, String expected) throws Exception {
    Pod pod = pod(WEB);
    Result result = decide(shop(), new PodMutation.Request(operation.equals("-") ? "" : operation,
        subResource.equals("-") ? "" : subResource, dryRun, "shop", pod, pod));

    assertThat(result.patched() ? "patched" : result.unchanged()).isEqualTo(expected);
  }

  @Test
  void aNullSubResourceIsACreationToo() throws Exception {
    Result result = decide(shop(), new PodMutation.Request("CREATE", null, false, "shop", pod(WEB), null));

    assertThat(result.at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
  }

  @Test
  void aRequestWithoutAPodOrWithoutItsSpecOrMetadataIsLeftAlone() throws Exception {
    Pod noSpec = pod(WEB);
    noSpec.setSpec(null);
    Pod noMetadata = pod(WEB);
    noMetadata.setMetadata(null);

    for (Pod pod : Arrays.asList(null, noSpec, noMetadata)) {
      assertThat(decide(shop(), new PodMutation.Request("CREATE", "", false, "shop", pod, null)).unchanged())
          .isEqualTo("no Pod in the request");
    }
  }

  // --- namespaces and objects no policy covers ---

  @ParameterizedTest(name = "{0} [{1}] pod [{2}] -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      shop            | -                       | -                       | patched
      shop            | holdfast.dev/skip=false | holdfast.dev/skip=no    | patched
      holdfast-system | -                       | -                       | namespace holdfast-system is the operator's own
      shop            | holdfast.dev/skip=true  | -                       | namespace shop is labelled holdfast.dev/skip=true
      shop            | holdfast.dev/skip=TRUE  | -                       | namespace shop is labelled holdfast.dev/skip=true
      shop            | -                       | holdfast.dev/skip=true  | labelled holdfast.dev/skip=true
      kube-system     | -                       | -                       | no policy covers namespace kube-system
      """)
  void namespacesAndObjectsNoPolicyCoversPassUnchanged(String namespace, String namespaceLabels, String podLabels,
      String expected) throws Exception {
    FakeState state = new FakeState(SHOP).verified("nginx:1.27", "ghcr.io/acme/migrate:2").secret(namespace, PULL)
        .namespace(namespace, labels(namespaceLabels));
    Pod pod = pod(WEB);
    pod.getMetadata().getLabels().putAll(labels(podLabels));

    Result result = decide(state, new PodMutation.Request("CREATE", "", false, namespace, pod, null));

    assertThat(result.patched() ? "patched" : result.unchanged()).isEqualTo(expected);
  }

  @Test
  void withoutAnyPolicyNothingIsCovered() throws Exception {
    assertThat(create(new FakeState().verified("nginx:1.27"), WEB).unchanged())
        .isEqualTo("no policy covers namespace shop");
  }

  @Test
  void aPolicyWhoseSelectorDoesNotMatchTheNamespaceDoesNotCoverIt() throws Exception {
    Policy teamA = Policy.of("team-a", new ImagePolicySpec(ImagePolicySpec.Destination.of(FakeState.DESTINATION,
        "keep"), new io.fabric8.kubernetes.api.model.LabelSelectorBuilder().addToMatchLabels("team", "a").build(),
        null, null, null, null, Webhook, null, null), 1);
    FakeState state = new FakeState(teamA).verified("nginx:1.27");

    assertThat(create(state, WEB).unchanged()).isEqualTo("no policy covers namespace shop");
    assertThat(create(state.namespace("shop", Map.of("team", "a")), WEB).at("/spec/containers/0/image"))
        .isEqualTo(NGINX_COPY);
  }

  // --- rewrite modes ---

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      Webhook  | copies.example.com/keep/docker.io/library/nginx:1.27@SHA
      Redirect | mirror.example.com/docker-mirror/library/nginx:1.27
      Patch    | unchanged: policy shop rewrites in mode Patch
      None     | unchanged: policy shop rewrites in mode None
      """)
  void onlyTheWebhookAndRedirectModesRewriteAtAdmission(ImagePolicySpec.RewriteMode mode, String expected)
      throws Exception {
    Policy policy = FakeState.policy("shop", mode, TagAndDigest, false, List.of(), List.of(),
        List.of(new ImagePolicySpec.Redirect("docker.io/", "mirror.example.com/docker-mirror/")));
    FakeState state = new FakeState(policy).verified("nginx:1.27").mirrored("nginx:1.27");

    assertThat(result(create(state, WEB), "/spec/containers/0/image")).isEqualTo(expected.replace("SHA", SHA));
  }

  /** The mapping of issue 20, and its normalisation: docker.io/nats is docker.io/library/nats. */
  private static final Policy EDGE = FakeState.policy("edge", ImagePolicySpec.RewriteMode.Redirect, TagAndDigest,
      true, List.of(), List.of(), List.of(
          new ImagePolicySpec.Redirect("docker.io/", "project-a.azurecr.io/docker-mirror/"),
          new ImagePolicySpec.Redirect("ghcr.io/", "project-a.azurecr.io/ghcr-mirror/")));

  private static final String EDGE_POD = """
      apiVersion: v1
      kind: Pod
      metadata: {name: edge, namespace: shop}
      spec:
        containers:
        - {name: nats, image: "docker.io/nats:2.10.26-alpine"}
        - {name: tool, image: "ghcr.io/acme/tool:1"}
        - {name: absent, image: "docker.io/acme/absent:1"}
        - {name: other, image: "quay.io/acme/other:1"}
      """;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      0 | project-a.azurecr.io/docker-mirror/library/nats:2.10.26-alpine
      1 | project-a.azurecr.io/ghcr-mirror/acme/tool:1
      2 | docker.io/acme/absent:1
      3 | quay.io/acme/other:1
      """)
  void redirectPointsAtTheMirrorOnlyWhenItIsConfirmedToHoldTheImage(int container, String expected)
      throws Exception {
    FakeState state = new FakeState(EDGE).mirrored("docker.io/nats:2.10.26-alpine", "ghcr.io/acme/tool:1",
        "quay.io/acme/other:1").secret("shop", "holdfast-pull-edge");

    Result result = create(state, EDGE_POD);

    assertThat(result.at("/spec/containers/" + container + "/image")).isEqualTo(expected);
  }

  @Test
  void redirectNeedsNoPullSecretAndRecordsTheOriginalsAsWritten() throws Exception {
    FakeState state = new FakeState(EDGE).mirrored("docker.io/nats:2.10.26-alpine")
        .secret("shop", "holdfast-pull-edge");

    Result result = create(state, EDGE_POD);

    assertThat(result.pod.at("/spec/imagePullSecrets").isMissingNode()).isTrue();
    assertThat(result.annotation("holdfast.dev/pull-secret")).isNull();
    assertThat(result.annotation("holdfast.dev/original-images"))
        .isEqualTo(Map.of("containers/nats", "docker.io/nats:2.10.26-alpine"));
    assertThat(result.written()).doesNotContain("/spec/imagePullSecrets", "/spec/imagePullSecrets/-");
  }

  @Test
  void redirectIgnoresVerifiedCopiesAndWebhookIgnoresConfirmedMirrors() throws Exception {
    Policy webhook = FakeState.policy("edge", Webhook, TagAndDigest, false, List.of(), List.of(), EDGE.spec()
        .redirects());
    Policy redirect = FakeState.policy("edge", ImagePolicySpec.RewriteMode.Redirect, TagAndDigest, false, List.of(),
        List.of(), EDGE.spec().redirects());

    assertThat(create(new FakeState(redirect).verified("docker.io/nats:2.10.26-alpine"), EDGE_POD).unchanged())
        .isEqualTo("no image has a verified copy or a confirmed mirror yet");
    assertThat(create(new FakeState(webhook).mirrored("docker.io/nats:2.10.26-alpine"), EDGE_POD).unchanged())
        .isEqualTo("no image has a verified copy or a confirmed mirror yet");
    // With Webhook mode and redirect rules, the copy (pulled through the mirror) is what Pods name.
    assertThat(create(new FakeState(webhook).verified("docker.io/nats:2.10.26-alpine")
        .mirrored("docker.io/nats:2.10.26-alpine"), EDGE_POD).at("/spec/containers/0/image"))
        .isEqualTo("copies.example.com/keep/docker.io/library/nats:2.10.26-alpine@" + SHA);
  }

  // --- owners: mirror Pods, custom resources, skipped kinds ---

  @ParameterizedTest(name = "{0} {1} controller={2} -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      -                     | -          | -     | patched
      apps/v1               | ReplicaSet | true  | patched
      batch/v1              | Job        | true  | patched
      apps/v1               | StatefulSet| true  | patched
      postgresql.cnpg.io/v1 | Cluster    | false | patched
      postgresql.cnpg.io/v1 | Cluster    | true  | owned by Cluster pg (postgresql.cnpg.io/v1), which Holdfast does not manage
      example.com/v1        | ReplicaSet | true  | owned by ReplicaSet pg (example.com/v1), which Holdfast does not manage
      """)
  void podsControlledByAKindHoldfastDoesNotManageAreLeftAlone(String apiVersion, String kind, String controller,
      String expected) throws Exception {
    Pod pod = pod(WEB);
    if (!apiVersion.equals("-")) {
      pod.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
          .withApiVersion(apiVersion).withKind(kind).withName("pg").withUid("u-1")
          .withController(Boolean.parseBoolean(controller)).build()));
    }

    Result result = decide(shop(), new PodMutation.Request("CREATE", "", false, "shop", pod, null));

    assertThat(result.patched() ? "patched" : result.unchanged()).isEqualTo(expected);
  }

  @Test
  void mirrorPodsAreLeftAlone() throws Exception {
    Pod pod = pod(WEB);
    pod.getMetadata().setAnnotations(Map.of("kubernetes.io/config.mirror", "abc"));

    assertThat(decide(shop(), new PodMutation.Request("CREATE", "", false, "shop", pod, null)).unchanged())
        .isEqualTo("a mirror Pod of a static Pod");
  }

  @Test
  void podsOfAnOwnerKindThePolicySkipsAreLeftAlone() throws Exception {
    Policy skipsJobs = FakeState.policy("shop", Webhook, TagAndDigest, false, List.of(), List.of("Job"), List.of());
    Pod pod = pod(WEB);
    pod.getMetadata().setOwnerReferences(List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
        .withApiVersion("batch/v1").withKind("Job").withName("nightly").withUid("u-2").withController(true).build()));

    Result result = decide(new FakeState(skipsJobs).verified("nginx:1.27"),
        new PodMutation.Request("CREATE", "", false, "shop", pod, null));

    assertThat(result.unchanged()).isEqualTo("owned by Job nightly, a kind the policy leaves alone");
  }

  // --- what is rewritten ---

  @Test
  void onlyImagesWithAVerifiedCopyAreRewrittenAndRecorded() throws Exception {
    Result result = create(shop(), WEB);

    assertThat(result.at("/spec/initContainers/0/image")).isEqualTo(MIGRATE_COPY);
    assertThat(result.at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
    assertThat(result.at("/spec/containers/1/image")).isEqualTo("quay.io/acme/unverified:1");
    assertThat(result.annotation("holdfast.dev/original-images"))
        .isEqualTo(Map.of("initContainers/migrate", "ghcr.io/acme/migrate:2", "containers/web", "nginx:1.27"));
    assertThat(result.annotation("holdfast.dev/copy-images"))
        .isEqualTo(Map.of("initContainers/migrate", MIGRATE_COPY, "containers/web", NGINX_COPY));
    assertThat(result.changes()).extracting(c -> c.field().key())
        .containsExactly("initContainers/migrate", "containers/web");
    // Nothing but the images, the pull secret and the annotations is written.
    assertThat(result.written()).containsExactlyInAnyOrder("/spec/initContainers/0/image",
        "/spec/containers/0/image", "/spec/imagePullSecrets", "/metadata/annotations");
    assertThat(result.pod.at("/metadata/labels")).isEqualTo(JSON.readTree("{\"app\":\"web\"}"));
  }

  @Test
  void everyImageChangeIsGuardedByATestOfItsValue() throws Exception {
    Result result = create(shop(), WEB);

    assertThat(result.patch.get(0).toString())
        .isEqualTo("{\"op\":\"test\",\"path\":\"/spec/initContainers/0/image\",\"value\":\"ghcr.io/acme/migrate:2\"}");
    assertThat(result.patch.get(1).toString())
        .isEqualTo("{\"op\":\"replace\",\"path\":\"/spec/initContainers/0/image\",\"value\":\"" + MIGRATE_COPY + "\"}");
  }

  // --- private sources ---

  @Test
  void aPrivateSourcesCopyIsServedOnlyToNamespacesWhoseOwnPullSecretsReadIt() throws Exception {
    FakeState readableElsewhere = new FakeState(SHOP).secret("shop", PULL).verifiedPrivate("nginx:1.27", "team-a");
    FakeState readableHere = new FakeState(SHOP).secret("shop", PULL).verifiedPrivate("nginx:1.27", "team-a", "shop");

    assertThat(create(readableElsewhere, WEB).unchanged())
        .isEqualTo("no image has a verified copy or a confirmed mirror yet");
    assertThat(create(readableHere, WEB).at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
  }

  @Test
  void aPolicyThatSharesPrivateImagesServesTheirCopiesToEveryNamespaceItCovers() throws Exception {
    ImagePolicySpec base = SHOP.spec();
    Policy sharing = Policy.of("shop", new ImagePolicySpec(base.destination(), null, null, null, null, null,
        base.rewrite(), base.referenceForm(), null, null, null, null, null, null, null, null, true), 1);
    FakeState state = new FakeState(sharing).secret("shop", PULL).verifiedPrivate("nginx:1.27", "team-a");

    assertThat(create(state, WEB).at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
  }

  @Test
  void withoutAnyVerifiedCopyThePodPassesUnchanged() throws Exception {
    assertThat(create(new FakeState(SHOP).secret("shop", PULL), WEB).unchanged())
        .isEqualTo("no image has a verified copy or a confirmed mirror yet");
  }

  @Test
  void theSameImageInSeveralContainersIsRewrittenInEach() throws Exception {
    Result result = create(shop(), """
        apiVersion: v1
        kind: Pod
        metadata: {name: twice, namespace: shop}
        spec:
          containers:
          - {name: a, image: "nginx:1.27"}
          - {name: b, image: "docker.io/library/nginx:1.27"}
          - {name: c, image: "index.docker.io/library/nginx:1.27"}
        """);

    assertThat(List.of(result.at("/spec/containers/0/image"), result.at("/spec/containers/1/image"),
        result.at("/spec/containers/2/image"))).containsOnly(NGINX_COPY);
    assertThat(result.annotation("holdfast.dev/original-images")).isEqualTo(Map.of("containers/a", "nginx:1.27",
        "containers/b", "docker.io/library/nginx:1.27", "containers/c", "index.docker.io/library/nginx:1.27"));
  }

  @Test
  void invalidReferencesPassUnchangedAndTheOthersAreStillRewritten() throws Exception {
    Result result = create(shop(), """
        apiVersion: v1
        kind: Pod
        metadata: {name: mixed, namespace: shop}
        spec:
          containers:
          - {name: upper, image: "docker.io/Library/Nginx:1.27"}
          - {name: space, image: "nginx:1 27"}
          - {name: template, image: "${IMAGE}"}
          - {name: blank, image: "  "}
          - {name: web, image: "nginx:1.27"}
        """);

    assertThat(result.at("/spec/containers/0/image")).isEqualTo("docker.io/Library/Nginx:1.27");
    assertThat(result.at("/spec/containers/1/image")).isEqualTo("nginx:1 27");
    assertThat(result.at("/spec/containers/2/image")).isEqualTo("${IMAGE}");
    assertThat(result.at("/spec/containers/3/image")).isEqualTo("  ");
    assertThat(result.at("/spec/containers/4/image")).isEqualTo(NGINX_COPY);
    assertThat(result.annotation("holdfast.dev/original-images")).isEqualTo(Map.of("containers/web", "nginx:1.27"));
  }

  @Test
  void imagesThePolicyExcludesAndImagesAlreadyAtTheDestinationAreLeftAlone() throws Exception {
    Policy excludesAcme = FakeState.policy("shop", Webhook, TagAndDigest, false, List.of("ghcr.io/acme/*"),
        List.of(), List.of());
    FakeState state = new FakeState(excludesAcme).verified("nginx:1.27", "ghcr.io/acme/migrate:2",
        "copies.example.com/keep/own/app:1");

    Result result = create(state, """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          initContainers:
          - {name: migrate, image: "ghcr.io/acme/migrate:2"}
          containers:
          - {name: web, image: "nginx:1.27"}
          - {name: own, image: "copies.example.com/keep/own/app:1"}
        """);

    assertThat(result.at("/spec/initContainers/0/image")).isEqualTo("ghcr.io/acme/migrate:2");
    assertThat(result.at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
    assertThat(result.at("/spec/containers/1/image")).isEqualTo("copies.example.com/keep/own/app:1");
    assertThat(result.changes()).hasSize(1);
  }

  @Test
  void aPodAlreadyRewrittenIsLeftAsItIsWhenTheWebhookIsCalledAgain() throws Exception {
    // reinvocationPolicy IfNeeded: the API server may call again after another webhook's change.
    Result first = create(shop(), WEB);
    Pod rewritten = KUBE.unmarshal(first.pod.toString(), Pod.class);

    Result again = decide(shop(), new PodMutation.Request("CREATE", "", false, "shop", rewritten, null));

    assertThat(again.unchanged()).isEqualTo("no image has a verified copy or a confirmed mirror yet");
  }

  @Test
  void initContainersContainersAndImageVolumesAreAllRewritten() throws Exception {
    FakeState state = shop().verified("registry.example.com/models/llm:v1");

    Result result = create(state, """
        apiVersion: v1
        kind: Pod
        metadata: {name: llm, namespace: shop}
        spec:
          initContainers:
          - {name: migrate, image: "ghcr.io/acme/migrate:2"}
          containers:
          - {name: web, image: "nginx:1.27", volumeMounts: [{name: models, mountPath: /models}]}
          volumes:
          - {name: scratch, emptyDir: {}}
          - {name: models, image: {reference: "registry.example.com/models/llm:v1", pullPolicy: IfNotPresent}}
        """);

    assertThat(result.at("/spec/initContainers/0/image")).isEqualTo(MIGRATE_COPY);
    assertThat(result.at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
    assertThat(result.at("/spec/volumes/1/image/reference"))
        .isEqualTo("copies.example.com/keep/registry.example.com/models/llm:v1@" + SHA);
    assertThat(result.at("/spec/volumes/1/image/pullPolicy")).isEqualTo("IfNotPresent");
    assertThat(result.annotation("holdfast.dev/original-images")).containsEntry("volumes/models",
        "registry.example.com/models/llm:v1");
  }

  @Test
  void theOriginalsAlreadyRecordedAreMergedAndOtherAnnotationsKept() throws Exception {
    // A Pod of a template the operator patched before (Patch mode): web names its copy already.
    FakeState state = shop().verified("quay.io/acme/unverified:1");

    Result result = create(state, """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          annotations:
            team: a
            holdfast.dev/original-images: '{"containers/web":"nginx:1.27"}'
        spec:
          containers:
          - {name: web, image: "%s"}
          - {name: side, image: "quay.io/acme/unverified:1"}
        """.formatted(NGINX_COPY));

    assertThat(result.at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
    assertThat(result.at("/spec/containers/1/image"))
        .isEqualTo("copies.example.com/keep/quay.io/acme/unverified:1@" + SHA);
    assertThat(result.annotation("holdfast.dev/original-images"))
        .isEqualTo(Map.of("containers/web", "nginx:1.27", "containers/side", "quay.io/acme/unverified:1"));
    assertThat(result.annotation("holdfast.dev/copy-images")).isEqualTo(Map.of("containers/web", NGINX_COPY,
        "containers/side", "copies.example.com/keep/quay.io/acme/unverified:1@" + SHA));
    assertThat(result.at("/metadata/annotations/team")).isEqualTo("a");
    assertThat(result.changes()).extracting(c -> c.field().key()).containsExactly("containers/side");
  }

  @Test
  void anUnreadableOriginalsAnnotationIsReplacedNotTrusted() throws Exception {
    Result result = create(shop(), """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          namespace: shop
          annotations: {holdfast.dev/original-images: 'not json'}
        spec:
          containers:
          - {name: web, image: "nginx:1.27"}
        """);

    assertThat(result.annotation("holdfast.dev/original-images")).isEqualTo(Map.of("containers/web", "nginx:1.27"));
  }

  // --- reference forms ---

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      TagAndDigest | nginx:1.27               | copies.example.com/keep/docker.io/library/nginx:1.27@SHA
      Digest       | nginx:1.27               | copies.example.com/keep/docker.io/library/nginx@SHA
      TagAndDigest | busybox@PINNED           | copies.example.com/keep/docker.io/library/busybox@PINNED
      Digest       | busybox@PINNED           | copies.example.com/keep/docker.io/library/busybox@PINNED
      TagAndDigest | redis:7@PINNED           | copies.example.com/keep/docker.io/library/redis:7@PINNED
      Digest       | redis:7@PINNED           | copies.example.com/keep/docker.io/library/redis@PINNED
      TagAndDigest | ghcr.io/acme/migrate     | copies.example.com/keep/ghcr.io/acme/migrate:latest@SHA
      Digest       | localhost:5000/app:v2    | copies.example.com/keep/localhost_5000/app@SHA
      """)
  void theCopyIsNamedInThePolicysReferenceForm(ImagePolicySpec.ReferenceForm form, String source, String expected)
      throws Exception {
    String image = source.replace("PINNED", PINNED);
    Policy policy = FakeState.policy("shop", Webhook, form, false);

    Result result = create(new FakeState(policy).verified(image), """
        apiVersion: v1
        kind: Pod
        metadata: {name: web, namespace: shop}
        spec:
          containers:
          - {name: web, image: "%s"}
        """.formatted(image));

    assertThat(result.at("/spec/containers/0/image"))
        .isEqualTo(expected.replace("PINNED", PINNED).replace("SHA", SHA));
  }

  // --- the pull secret ---

  private static final String WITH_SECRETS = """
      apiVersion: v1
      kind: Pod
      metadata: {name: web, namespace: shop}
      spec:
        imagePullSecrets: [%s]
        containers:
        - {name: web, image: "nginx:1.27"}
      """;

  @ParameterizedTest(name = "credentials={0} exists={1} listed=[{2}] -> {3}")
  @CsvSource(delimiter = '|', textBlock = """
      true  | true  | -                                          | holdfast-pull-shop
      true  | true  | {name: keep-me}                            | keep-me,holdfast-pull-shop
      true  | false | {name: holdfast-pull-shop}                 | holdfast-pull-shop
      true  | true  | {name: keep-me},{name: holdfast-pull-shop} | keep-me,holdfast-pull-shop
      true  | false | -                                          | unchanged
      true  | false | {name: keep-me}                            | unchanged
      false | false | -                                          | -
      false | false | {name: keep-me}                            | keep-me
      """)
  void thePullSecretIsAppendedOnceAndOnlyWhenItExists(boolean credentials, boolean exists, String listed,
      String expected) throws Exception {
    Policy policy = FakeState.policy("shop", Webhook, TagAndDigest, credentials);
    FakeState state = new FakeState(policy).verified("nginx:1.27");
    if (exists) {
      state.secret("shop", PULL);
    }
    state.secret("other", PULL); // in another namespace: no use here

    Result result = create(state, WITH_SECRETS.formatted(listed.equals("-") ? "" : listed));

    if (expected.equals("unchanged")) {
      // A Pod that could not pull its copy is worse than one that pulls its source.
      assertThat(result.unchanged()).isEqualTo("no image has a verified copy or a confirmed mirror yet");
      return;
    }
    assertThat(result.at("/spec/containers/0/image")).isEqualTo(NGINX_COPY);
    List<String> names = new ArrayList<>();
    result.pod.at("/spec/imagePullSecrets").forEach(s -> names.add(s.path("name").asText()));
    assertThat(String.join(",", names)).isEqualTo(expected.equals("-") ? "" : expected);
    boolean appended = names.contains(PULL) && !listed.contains(PULL);
    assertThat(result.at("/metadata/annotations/holdfast.dev~1pull-secret")).isEqualTo(appended ? PULL : "");
  }

  @Test
  void thePullSecretIsOnlyForTargetsOnTheDestinationRegistry() throws Exception {
    FakeState state = new FakeState(SHOP);

    assertThat(state.pullSecretFor(SHOP, FakeState.DESTINATION)).contains(PULL);
    assertThat(state.pullSecretFor(SHOP, "COPIES.example.com")).contains(PULL);
    assertThat(state.pullSecretFor(SHOP, "mirror.example.com")).isEmpty();
    assertThat(state.pullSecretFor(SHOP, "copies.example.com:443")).isEmpty();
    assertThat(state.pullSecretFor(FakeState.policy("open", Webhook, TagAndDigest, false), FakeState.DESTINATION))
        .isEmpty();
  }

  @Test
  void aDestinationSpeltIndexDockerIoGetsItsPullSecretForTargetsParsedAsDockerIo() {
    // the copies' references are parsed, and parsing reads index.docker.io as docker.io
    SecretReference push = new SecretReference(FakeState.OPERATOR_NAMESPACE, "push");
    Policy hub = Policy.of("hub", new ImagePolicySpec(new ImagePolicySpec.Destination("index.docker.io", "myorg", null,
        push, null, null, null), null, null, null, List.of(), List.of(), Webhook, TagAndDigest, List.of()), 1);
    FakeState state = new FakeState(hub);
    String target = hub.destinationFor(ImageReference.parse("nginx:1.27")).registry();

    assertThat(target).isEqualTo("docker.io");
    assertThat(state.pullSecretFor(hub, target)).contains(PullSecrets.nameFor(hub));
    assertThat(state.pullSecretFor(hub, "quay.io")).isEmpty();
  }

  // --- ephemeral containers ---

  private static final String DEBUGGED = """
      apiVersion: v1
      kind: Pod
      metadata: {name: web, namespace: shop}
      spec:
        imagePullSecrets: [%s]
        containers:
        - {name: web, image: "nginx:1.27"}
        ephemeralContainers:
        - {name: debug-1, image: "busybox:1.36"}
      """;

  private static Result ephemeral(FakeState state, String listed, String... added) throws Exception {
    Pod old = pod(DEBUGGED.formatted(listed));
    Pod pod = pod(DEBUGGED.formatted(listed));
    for (String image : added) {
      pod.getSpec().getEphemeralContainers().add(new io.fabric8.kubernetes.api.model.EphemeralContainerBuilder()
          .withName("debug-" + (pod.getSpec().getEphemeralContainers().size() + 1)).withImage(image).build());
    }
    return decide(state, new PodMutation.Request("UPDATE", "ephemeralcontainers", false, "shop", pod, old));
  }

  @Test
  void onAnEphemeralContainerUpdateOnlyTheNewEphemeralContainersAreRewritten() throws Exception {
    FakeState state = new FakeState(FakeState.policy("shop", Webhook, TagAndDigest, false))
        .verified("nginx:1.27", "busybox:1.36");

    Result result = ephemeral(state, "", "busybox:1.36");

    assertThat(result.at("/spec/ephemeralContainers/1/image"))
        .isEqualTo("copies.example.com/keep/docker.io/library/busybox:1.36@" + SHA);
    // The existing ephemeral container and the containers stay: they cannot change in this update.
    assertThat(result.at("/spec/ephemeralContainers/0/image")).isEqualTo("busybox:1.36");
    assertThat(result.at("/spec/containers/0/image")).isEqualTo("nginx:1.27");
    assertThat(result.written()).containsExactly("/spec/ephemeralContainers/1/image");
    assertThat(result.pod.at("/metadata/annotations").isMissingNode()).isTrue();
  }

  @ParameterizedTest(name = "listed=[{0}] exists={1} -> {2}")
  @CsvSource(delimiter = '|', textBlock = """
      {name: holdfast-pull-shop} | false | rewritten
      -                          | true  | unchanged
      {name: keep-me}            | true  | unchanged
      """)
  void anEphemeralContainerNeedingAPullSecretTheSpecLacksIsLeftAlone(String listed, boolean exists,
      String expected) throws Exception {
    FakeState state = new FakeState(SHOP).verified("busybox:1.36");
    if (exists) {
      state.secret("shop", PULL);
    }

    Result result = ephemeral(state, listed.equals("-") ? "" : listed, "busybox:1.36");

    assertThat(result.patched() ? "rewritten" : "unchanged").isEqualTo(expected);
    if (result.patched()) {
      assertThat(result.written()).containsExactly("/spec/ephemeralContainers/1/image");
    }
  }

  @Test
  void anEphemeralContainerUpdateWithoutNewContainersOrCopiesChangesNothing() throws Exception {
    FakeState state = new FakeState(FakeState.policy("shop", Webhook, TagAndDigest, false))
        .verified("nginx:1.27", "busybox:1.36");

    assertThat(ephemeral(state, "").unchanged()).isEqualTo("no image has a verified copy or a confirmed mirror yet");
    assertThat(ephemeral(state, "", "alpine:3.20").unchanged())
        .isEqualTo("no image has a verified copy or a confirmed mirror yet");
  }

  @Test
  void withoutTheOldPodEveryEphemeralContainerCountsAsNew() throws Exception {
    FakeState state = new FakeState(FakeState.policy("shop", Webhook, TagAndDigest, false))
        .verified("nginx:1.27", "busybox:1.36");

    Result result = decide(state, new PodMutation.Request("UPDATE", "ephemeralcontainers", false, "shop",
        pod(DEBUGGED.formatted("")), null));

    assertThat(result.written()).containsExactly("/spec/ephemeralContainers/0/image");
  }

  // --- inputs that are odd but must not crash ---

  @Test
  void oddPodsAreDecidedWithoutThrowing() throws Exception {
    List<String> pods = List.of(
        "{\"metadata\":{},\"spec\":{}}",
        "{\"metadata\":{\"name\":\"x\"},\"spec\":{\"containers\":[]}}",
        "{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"a\"}]}}",
        "{\"metadata\":{},\"spec\":{\"containers\":[{\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{},\"spec\":{\"volumes\":[{\"name\":\"v\",\"image\":{}}]}}",
        "{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.27\"},"
            + "{\"name\":\"a\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{\"annotations\":{\"holdfast.dev/original-images\":\"null\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{\"annotations\":{\"holdfast.dev/original-images\":\"{\\\"containers/a\\\":null}\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{\"ownerReferences\":[{\"kind\":\"ReplicaSet\",\"controller\":true}]},"
            + "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{},\"spec\":{\"imagePullSecrets\":[{}],\"containers\":[{\"name\":\"a\",\"image\":\"nginx:1.27\"}]}}");

    for (String json : pods) {
      Pod pod = KUBE.unmarshal(json, Pod.class);
      for (String namespace : List.of("shop", "", "unknown")) {
        PodMutation.Outcome outcome = PodMutation.decide(
            new PodMutation.Request("CREATE", "", false, namespace, pod, null), shop().secret(namespace, PULL));
        if (outcome instanceof PodMutation.Outcome.Patched patched) {
          JsonNode after = JsonPatch.apply(JSON.readTree(patched.patch()), JSON.readTree(KUBE.asJson(pod)));
          after.at("/spec/containers").forEach(c -> assertThat(c.path("image").asText()).isIn(NGINX_COPY, ""));
        }
        assertThat(outcome).as(json).isNotNull();
      }
    }
  }
}

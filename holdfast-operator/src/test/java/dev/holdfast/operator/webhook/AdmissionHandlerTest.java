package dev.holdfast.operator.webhook;

import static dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm.TagAndDigest;
import static dev.holdfast.operator.api.ImagePolicySpec.RewriteMode.Webhook;
import static dev.holdfast.operator.webhook.Reviews.JSON;
import static dev.holdfast.operator.webhook.Reviews.bytes;
import static dev.holdfast.operator.webhook.Reviews.read;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.operator.policy.Policy;
import io.fabric8.zjsonpatch.JsonPatch;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** AdmissionReview v1 in, its answer out: real review texts, answers read back as the API server reads them. */
class AdmissionHandlerTest {
  private static final Policy SHOP = FakeState.policy("shop", Webhook, TagAndDigest, true);
  private static final String UID = "705ab4f5-6393-11e8-b7cc-42010a800002";
  private static final String NGINX_COPY = "copies.example.com/keep/docker.io/library/nginx:1.27@" + FakeState.SHA;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AdmissionHandler handler = new AdmissionHandler(
      new FakeState(SHOP).verified("nginx:1.27", "ghcr.io/acme/migrate:2").secret("shop", "holdfast-pull-shop"),
      new WebhookMetrics(meters));

  private double reviews(String outcome) {
    return meters.get("holdfast.webhook.reviews").tag("outcome", outcome).counter().count();
  }

  // --- round trips ---

  @Test
  void aPodCreationIsAnsweredWithABase64JsonPatchThatAppliesToTheObject() throws Exception {
    String review = Reviews.create(UID, Reviews.WEB_POD);

    JsonNode answer = read(handler.handle(bytes(review)));

    assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
    assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
    JsonNode response = answer.path("response");
    assertThat(response.path("uid").asText()).isEqualTo(UID);
    assertThat(response.path("allowed").isBoolean()).isTrue();
    assertThat(response.path("allowed").booleanValue()).isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    assertThat(response.path("patch").asText()).matches("[A-Za-z0-9+/]+=*"); // standard base64, no line breaks
    JsonNode pod = JsonPatch.apply(Reviews.patch(answer).orElseThrow(), JSON.readTree(Reviews.WEB_POD));
    assertThat(pod.at("/spec/containers/0/image").asText()).isEqualTo(NGINX_COPY);
    assertThat(pod.at("/spec/containers/1/image").asText()).isEqualTo("quay.io/acme/unverified:1");
    assertThat(pod.at("/spec/initContainers/0/image").asText())
        .isEqualTo("copies.example.com/keep/ghcr.io/acme/migrate:2@" + FakeState.SHA);
    assertThat(pod.at("/spec/imagePullSecrets").toString()).isEqualTo("[{\"name\":\"holdfast-pull-shop\"}]");
    assertThat(pod.at("/metadata/annotations/note").asText()).isEqualTo("caf\u00e9 \u2615");
    assertThat(pod.at("/metadata/annotations/holdfast.dev~1original-images").asText())
        .isEqualTo("{\"containers/web\":\"nginx:1.27\",\"initContainers/migrate\":\"ghcr.io/acme/migrate:2\"}");
    assertThat(response.has("status")).isFalse();
    assertThat(reviews("patched")).isEqualTo(1);
    assertThat(meters.get("holdfast.webhook.images.rewritten").counter().count()).isEqualTo(2);
  }

  @Test
  void aPodLeftAloneIsAllowedWithoutAPatch() {
    String review = Reviews.create(UID, Reviews.WEB_POD.replace("nginx:1.27", "nginx:1.28")
        .replace("ghcr.io/acme/migrate:2", "ghcr.io/acme/migrate:3"));

    JsonNode response = read(handler.handle(bytes(review))).path("response");

    assertThat(response.path("uid").asText()).isEqualTo(UID);
    assertThat(response.path("allowed").booleanValue()).isTrue();
    assertThat(response.has("patch")).isFalse();
    assertThat(response.has("patchType")).isFalse();
    assertThat(reviews("unchanged")).isEqualTo(1);
  }

  @Test
  void anEphemeralContainerUpdateIsAnsweredWithAnImagesOnlyPatch() throws Exception {
    // The Pod lists the pull secret already: an ephemeral container update cannot add it.
    ObjectNode old = (ObjectNode) JSON.readTree(Reviews.WEB_POD);
    ((ObjectNode) old.get("spec")).putArray("imagePullSecrets").addObject().put("name", "holdfast-pull-shop");
    ObjectNode updated = old.deepCopy();
    ((ObjectNode) updated.get("spec")).putArray("ephemeralContainers").addObject().put("name", "debugger")
        .put("image", "nginx:1.27").put("targetContainerName", "web");
    String review = Reviews.review(UID, "UPDATE", "ephemeralcontainers", false, "shop", updated.toString(),
        old.toString());

    JsonNode answer = read(handler.handle(bytes(review)));

    JsonNode patch = Reviews.patch(answer).orElseThrow();
    assertThat(patch.toString()).isEqualTo("[{\"op\":\"test\",\"path\":\"/spec/ephemeralContainers/0/image\","
        + "\"value\":\"nginx:1.27\"},{\"op\":\"replace\",\"path\":\"/spec/ephemeralContainers/0/image\",\"value\":\""
        + NGINX_COPY + "\"}]");
    assertThat(JsonPatch.apply(patch, updated).at("/spec/containers/0/image").asText()).isEqualTo("nginx:1.27");
  }

  @Test
  void theUidIsEchoedExactlyWhateverItHolds() {
    for (String uid : List.of("", "a\"b\\c", "\u00fcml\u00e4ut \ud83d\ude00", "x".repeat(10_000), "</script>")) {
      JsonNode response = read(handler.handle(bytes(Reviews.create(uid, Reviews.WEB_POD)))).path("response");

      assertThat(response.path("uid").asText()).isEqualTo(uid);
    }
  }

  // --- reviews answered without a patch ---

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a dry run                  | CREATE  | -                   | true
      an update                  | UPDATE  | -                   | false
      a status update            | UPDATE  | status              | false
      a deletion                 | DELETE  | -                   | false
      an ephemeral dry run       | UPDATE  | ephemeralcontainers | true
      """)
  void reviewsTheWebhookDoesNotRewriteAreAllowedAsTheyAre(String what, String operation, String subResource,
      boolean dryRun) {
    String review = Reviews.review(UID, operation, subResource.equals("-") ? null : subResource, dryRun, "shop",
        Reviews.WEB_POD, Reviews.WEB_POD);

    JsonNode response = read(handler.handle(bytes(review))).path("response");

    assertThat(response.path("allowed").booleanValue()).isTrue();
    assertThat(response.path("uid").asText()).isEqualTo(UID);
    assertThat(response.has("patch")).as(what).isFalse();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      a Deployment                 | apps         | Deployment
      a Secret                     | ''           | Secret
      a custom resource named Pod  | example.com  | Pod
      a Pod of the wrong case      | ''           | pod
      no kind at all               | -            | -
      """)
  void objectsOtherThanPodsAreAllowedUntouched(String what, String group, String kind) throws Exception {
    ObjectNode review = (ObjectNode) JSON.readTree(Reviews.create(UID, Reviews.WEB_POD));
    ObjectNode request = (ObjectNode) review.get("request");
    if (kind.equals("-")) {
      request.remove("kind");
    } else {
      request.set("kind", JSON.createObjectNode().put("group", group).put("version", "v1").put("kind", kind));
    }

    JsonNode response = read(handler.handle(bytes(review.toString()))).path("response");

    assertThat(response.path("allowed").booleanValue()).isTrue();
    assertThat(response.has("patch")).as(what).isFalse();
  }

  @ParameterizedTest(name = "object {0}")
  @ValueSource(strings = {"null", "\"a Pod\"", "42", "[]", "true", "{}", "{\"spec\":{}}",
      "{\"metadata\":{},\"spec\":{\"containers\":\"nginx:1.27\"}}",
      "{\"metadata\":{\"annotations\":{\"a\":{\"nested\":1}}},\"spec\":{\"containers\":[{\"image\":\"nginx:1.27\"}]}}",
      "{\"metadata\":[],\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}"})
  void anObjectThatIsNotAReadablePodIsAllowedUntouched(String object) throws Exception {
    ObjectNode review = (ObjectNode) JSON.readTree(Reviews.create(UID, "{}"));
    ((ObjectNode) review.get("request")).set("object", JSON.readTree(object));

    JsonNode response = read(handler.handle(bytes(review.toString()))).path("response");

    assertThat(response.path("allowed").booleanValue()).isTrue();
    assertThat(response.path("uid").asText()).isEqualTo(UID);
    assertThat(response.has("patch")).isFalse();
  }

  // --- reviews that cannot be read ---

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"", " ", "null", "[]", "42", "\"AdmissionReview\"", "{", "{}",
      "{\"kind\":\"AdmissionReview\"}",
      "{\"kind\":\"AdmissionReview\",\"request\":{}}",
      "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":42}}",
      "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":null}}",
      "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":[\"a\"]}}",
      "{\"kind\":\"AdmissionReview\",\"request\":\"uid\"}",
      "{\"kind\":\"AdmissionReviewList\",\"request\":{\"uid\":\"a\"}}",
      "{\"request\":{\"uid\":\"a\"}}",
      "{\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"a\"}",
      "<AdmissionReview/>"})
  void anUnreadableReviewHasNoAnswer(String body) {
    assertThat(handler.handle(bytes(body))).isEmpty();
    assertThat(reviews("invalid")).isEqualTo(1);
  }

  @Test
  void bytesThatAreNotUtf8AreUnreadable() {
    assertThat(handler.handle(new byte[] {(byte) 0xff, (byte) 0xfe, 0, 0x7b})).isEmpty();
    assertThat(handler.handle(new byte[] {(byte) 0xc3, (byte) 0x28})).isEmpty();
  }

  @Test
  void anAnswerIsAlwaysAnAdmissionReviewAllowingTheRequest() {
    Optional<byte[]> answer = handler.handle(bytes(Reviews.create("u", "{\"kind\":\"Pod\"}")));

    JsonNode root = read(answer);
    assertThat(root.fieldNames()).toIterable().containsExactly("apiVersion", "kind", "response");
    assertThat(root.path("response").fieldNames()).toIterable().containsExactly("uid", "allowed");
  }
}

package dev.holdfast.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@code AdmissionReview} (admission.k8s.io/v1) into its answer. Every review that can be
 * read is allowed: the webhook only rewrites, never refuses. A review that cannot be read (truncated
 * JSON, no uid, a wrong kind) gets {@link #invalid}, which the server answers with 400; it never
 * rewrites anything.
 */
public final class AdmissionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();

  private final PodMutation.State state;
  private final WebhookMetrics metrics;

  public AdmissionHandler(PodMutation.State state, WebhookMetrics metrics) {
    this.state = state;
    this.metrics = metrics;
  }

  /** The answer to a review, or empty when the review cannot be read. */
  public Optional<byte[]> handle(byte[] body) {
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (java.io.IOException | RuntimeException e) {
      metrics.invalid();
      return Optional.empty();
    }
    JsonNode request = review == null ? null : review.path("request");
    if (request == null || !request.path("uid").isTextual() || !"AdmissionReview".equals(review.path("kind").asText())) {
      metrics.invalid();
      return Optional.empty();
    }
    String uid = request.path("uid").asText();
    PodMutation.Outcome outcome;
    try {
      JsonNode kind = request.path("kind");
      if (!"Pod".equals(kind.path("kind").asText()) || !kind.path("group").asText("").isEmpty()) {
        outcome = new PodMutation.Outcome.Unchanged("not a Pod");
      } else {
        outcome = PodMutation.decide(new PodMutation.Request(request.path("operation").asText(""),
            request.path("subResource").asText(""), request.path("dryRun").asBoolean(false),
            request.path("namespace").asText(""), pod(request.get("object")), pod(request.get("oldObject"))), state);
      }
    } catch (RuntimeException e) {
      // A Pod that cannot be read is the API server's to refuse; the webhook lets it through unchanged.
      LOG.debug("Admission review {}: {}", uid, e.toString());
      outcome = new PodMutation.Outcome.Unchanged("the Pod cannot be read: " + e.getClass().getSimpleName());
    }
    metrics.answered(outcome);
    return Optional.of(answer(uid, outcome));
  }

  private static Pod pod(JsonNode node) {
    return node == null || !node.isObject() ? null : KUBE.convertValue(node, Pod.class);
  }

  private static byte[] answer(String uid, PodMutation.Outcome outcome) {
    ObjectNode root = JSON.createObjectNode();
    root.put("apiVersion", "admission.k8s.io/v1");
    root.put("kind", "AdmissionReview");
    ObjectNode response = root.putObject("response");
    response.put("uid", uid);
    response.put("allowed", true);
    if (outcome instanceof PodMutation.Outcome.Patched patched) {
      response.put("patchType", "JSONPatch");
      response.put("patch", Base64.getEncoder().encodeToString(patched.patch().getBytes(StandardCharsets.UTF_8)));
    }
    return root.toString().getBytes(StandardCharsets.UTF_8);
  }
}

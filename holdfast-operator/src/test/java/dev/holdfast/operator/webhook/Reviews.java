package dev.holdfast.operator.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** AdmissionReview v1 texts as the API server sends them, and readers of the answers, for the tests. */
final class Reviews {
  static final ObjectMapper JSON = new ObjectMapper();

  private Reviews() {}

  /** A Pod of the ReplicaSet of Deployment web, as the API server sends it on creation. */
  static final String WEB_POD = """
      {"kind":"Pod","apiVersion":"v1",
       "metadata":{"generateName":"web-7d9f6c-","namespace":"shop","uid":"6f1c2a","creationTimestamp":null,
        "labels":{"app":"web","pod-template-hash":"7d9f6c"},
        "annotations":{"note":"caf\u00e9 \u2615"},
        "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"web-7d9f6c","uid":"rs-1",
          "controller":true,"blockOwnerDeletion":true}]},
       "spec":{
        "initContainers":[{"name":"migrate","image":"ghcr.io/acme/migrate:2","resources":{},
          "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File",
          "imagePullPolicy":"IfNotPresent"}],
        "containers":[{"name":"web","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],
          "resources":{"limits":{"cpu":"500m","memory":"128Mi"}},"terminationMessagePath":"/dev/termination-log",
          "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"},
         {"name":"side","image":"quay.io/acme/unverified:1","resources":{},"imagePullPolicy":"IfNotPresent"}],
        "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
        "serviceAccountName":"default","serviceAccount":"default","securityContext":{},"schedulerName":"default-scheduler",
        "tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute",
          "tolerationSeconds":300}],
        "priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"},
       "status":{}}
      """;

  /** A review of {@code object} (JSON text, or null) with the fields the API server sets. */
  static String review(String uid, String operation, String subResource, boolean dryRun, String namespace,
      String object, String oldObject) {
    try {
      ObjectNode root = JSON.createObjectNode();
      root.put("kind", "AdmissionReview");
      root.put("apiVersion", "admission.k8s.io/v1");
      ObjectNode request = root.putObject("request");
      request.put("uid", uid);
      request.set("kind", JSON.readTree("{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"}"));
      request.set("resource", JSON.readTree("{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"}"));
      if (subResource != null) {
        request.put("subResource", subResource);
      }
      request.set("requestKind", request.get("kind"));
      request.set("requestResource", request.get("resource"));
      if (subResource != null) {
        request.put("requestSubResource", subResource);
      }
      request.put("namespace", namespace);
      request.put("operation", operation);
      request.set("userInfo", JSON.readTree("{\"username\":\"system:serviceaccount:kube-system:replicaset-controller\","
          + "\"uid\":\"u-9\",\"groups\":[\"system:serviceaccounts\",\"system:authenticated\"]}"));
      request.set("object", object == null ? JSON.nullNode() : JSON.readTree(object));
      request.set("oldObject", oldObject == null ? JSON.nullNode() : JSON.readTree(oldObject));
      request.put("dryRun", dryRun);
      request.set("options", JSON.readTree("{\"kind\":\"CreateOptions\",\"apiVersion\":\"meta.k8s.io/v1\"}"));
      return root.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A Pod creation review. */
  static String create(String uid, String pod) {
    return review(uid, "CREATE", null, false, "shop", pod, null);
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** An answer as a tree. */
  static JsonNode read(Optional<byte[]> answer) {
    try {
      return JSON.readTree(answer.orElseThrow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The JSON patch of an answer, decoded; empty when it has none. */
  static Optional<JsonNode> patch(JsonNode answer) {
    JsonNode patch = answer.path("response").path("patch");
    if (patch.isMissingNode()) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readTree(Base64.getDecoder().decode(patch.asText())));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

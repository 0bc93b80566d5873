package dev.holdfast.operator.webhook;

import static dev.holdfast.operator.api.ImagePolicySpec.ReferenceForm.TagAndDigest;
import static dev.holdfast.operator.api.ImagePolicySpec.RewriteMode.Webhook;
import static dev.holdfast.operator.webhook.Reviews.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.holdfast.operator.policy.Policy;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import io.fabric8.zjsonpatch.JsonPatchException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 25, "the webhook is hardened": hostile and malformed AdmissionReviews (truncated at every
 * byte, randomly mutated, huge, invalid references, wrong kinds, no uid, no Pod, deeply nested) are
 * all answered or refused as unreadable, none throws, and none rewrites anything it should not. They
 * run in one test, so a pathological case shows as a slow test (no timed assertion).
 */
class AdmissionFuzzTest {
  private static final KubernetesSerialization KUBE = new KubernetesSerialization();
  private static final Policy SHOP = FakeState.policy("shop", Webhook, TagAndDigest, true);
  private static final List<String> VERIFIED = List.of("nginx:1.27", "ghcr.io/acme/migrate:2", "busybox:1.36",
      "redis:7.2");
  /** Everything the webhook may write an image field to: the verified copies. */
  private static final Set<String> TARGETS = Set.copyOf(VERIFIED.stream().map(s -> FakeState.copyOf(SHOP, s)).toList());
  private static final Pattern WRITABLE = Pattern.compile("/spec/(initContainers|containers|ephemeralContainers)/\\d+/image"
      + "|/spec/volumes/\\d+/image/reference|/spec/imagePullSecrets(/-)?|/metadata/annotations"
      + "|/metadata/annotations/holdfast\\.dev~1(original-images|copy-images|pull-secret)");
  private static final Set<String> OUR_ANNOTATIONS = Set.of("holdfast.dev/original-images",
      "holdfast.dev/copy-images", "holdfast.dev/pull-secret");

  private final AdmissionHandler handler = new AdmissionHandler(
      new FakeState(SHOP).verified(VERIFIED.toArray(String[]::new)).secret("shop", "holdfast-pull-shop"),
      new WebhookMetrics(new SimpleMeterRegistry()));

  /** What a case may get back. */
  private enum Expect {
    /** Unreadable: no answer (the server says 400). */
    UNREADABLE,
    /** Answered, allowed, and no patch. */
    NO_PATCH,
    /** Answered and allowed; a patch, if any, only points image fields at verified copies. */
    ANSWERED,
    /** Either unreadable or {@link #ANSWERED}. */
    ANY
  }

  private record Case(String category, byte[] body, Expect expect) {
    static Case of(String category, String body, Expect expect) {
      return new Case(category, body.getBytes(StandardCharsets.UTF_8), expect);
    }
  }

  /** A Pod of the ReplicaSet of Deployment web: two verified images, one not. */
  private static final String VALID = Reviews.create("fuzz-0", Reviews.WEB_POD);

  // --- the cases ---

  private static List<Case> truncations() {
    byte[] whole = VALID.getBytes(StandardCharsets.UTF_8);
    List<Case> cases = new ArrayList<>();
    for (int cut = 0; cut < whole.length; cut++) {
      cases.add(new Case("truncated", Arrays.copyOf(whole, cut), Expect.UNREADABLE));
    }
    return cases;
  }

  private static final byte[] STRUCTURE = "{}[]\":,\\ 0123456789truefalsn-.eE/".getBytes(StandardCharsets.US_ASCII);

  /** Random edits of the valid review: bytes flipped, replaced, deleted, inserted, spans duplicated. */
  private static List<Case> mutations(int count, long seed) {
    Random random = new Random(seed);
    byte[] whole = VALID.getBytes(StandardCharsets.UTF_8);
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] body = whole.clone();
      int edits = 1 + random.nextInt(8);
      for (int e = 0; e < edits && body.length > 1; e++) {
        int at = random.nextInt(body.length);
        switch (random.nextInt(6)) {
          case 0 -> body[at] ^= (byte) (1 << random.nextInt(8));
          case 1 -> body[at] = STRUCTURE[random.nextInt(STRUCTURE.length)];
          case 2 -> body[at] = (byte) random.nextInt(256);
          case 3 -> {
            byte[] shorter = new byte[body.length - 1];
            System.arraycopy(body, 0, shorter, 0, at);
            System.arraycopy(body, at + 1, shorter, at, body.length - at - 1);
            body = shorter;
          }
          case 4 -> {
            byte[] longer = new byte[body.length + 1];
            System.arraycopy(body, 0, longer, 0, at);
            longer[at] = STRUCTURE[random.nextInt(STRUCTURE.length)];
            System.arraycopy(body, at, longer, at + 1, body.length - at);
            body = longer;
          }
          default -> {
            int length = Math.min(1 + random.nextInt(40), body.length - at);
            byte[] longer = new byte[body.length + length];
            System.arraycopy(body, 0, longer, 0, at + length);
            System.arraycopy(body, at, longer, at + length, body.length - at);
            body = longer;
          }
        }
      }
      cases.add(new Case("mutated", body, Expect.ANY));
    }
    return cases;
  }

  /** Mutations of the values only: the review stays JSON, its fields get the wrong types and values. */
  private static List<Case> wrongValues(long seed) throws Exception {
    Random random = new Random(seed);
    List<JsonNode> values = List.of(JSON.nullNode(), JSON.getNodeFactory().numberNode(-1),
        JSON.getNodeFactory().numberNode(1e308), JSON.getNodeFactory().booleanNode(true), JSON.getNodeFactory().textNode(""),
        JSON.getNodeFactory().textNode("true"), JSON.getNodeFactory().textNode("CREATE"),
        JSON.getNodeFactory().textNode("nginx:1.27"), JSON.createArrayNode(), JSON.createObjectNode(),
        JSON.readTree("[{\"name\":\"x\",\"image\":\"nginx:1.27\"}]"), JSON.readTree("{\"image\":\"nginx:1.27\"}"));
    List<String> paths = new ArrayList<>();
    collect(JSON.readTree(VALID), "", paths);
    List<Case> cases = new ArrayList<>();
    for (String path : paths) {
      for (int i = 0; i < 3; i++) {
        ObjectNode review = (ObjectNode) JSON.readTree(VALID);
        replace(review, path, values.get(random.nextInt(values.size())));
        cases.add(Case.of("wrong value", review.toString(), Expect.ANY));
      }
    }
    return cases;
  }

  private static void collect(JsonNode node, String pointer, List<String> paths) {
    if (!pointer.isEmpty()) {
      paths.add(pointer);
    }
    if (node.isObject()) {
      node.properties().forEach(e -> collect(e.getValue(), pointer + "/" + e.getKey().replace("~", "~0")
          .replace("/", "~1"), paths));
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collect(node.get(i), pointer + "/" + i, paths);
      }
    }
  }

  private static void replace(JsonNode root, String pointer, JsonNode value) {
    int slash = pointer.lastIndexOf('/');
    JsonNode parent = root.at(pointer.substring(0, slash));
    String last = pointer.substring(slash + 1).replace("~1", "/").replace("~0", "~");
    if (parent instanceof ObjectNode object) {
      object.set(last, value);
    } else if (parent instanceof ArrayNode array) {
      array.set(Integer.parseInt(last), value);
    }
  }

  private static String pod(List<String> images) {
    ObjectNode pod = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Pod");
    pod.putObject("metadata").put("name", "huge").put("namespace", "shop");
    ArrayNode containers = pod.putObject("spec").putArray("containers");
    for (int i = 0; i < images.size(); i++) {
      containers.addObject().put("name", "c" + i).put("image", images.get(i));
    }
    return pod.toString();
  }

  private static List<Case> huge() {
    List<String> mixed = new ArrayList<>();
    List<String> unverified = new ArrayList<>();
    List<String> same = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      mixed.add(switch (i % 4) {
        case 0 -> "nginx:1.27";
        case 1 -> "quay.io/acme/app-" + i + ":1";
        case 2 -> "Invalid/Ref:" + i;
        default -> "ghcr.io/acme/migrate:2";
      });
      unverified.add("registry.example.com/team/app-" + i + ":v" + i);
      same.add("busybox:1.36");
    }
    String sameName = pod(same).replaceAll("\"c\\d+\"", "\"c\"");
    StringBuilder longImage = new StringBuilder("nginx:1.27");
    longImage.append("a".repeat(1 << 20));
    return List.of(
        Case.of("huge", Reviews.create("huge-mixed", pod(mixed)), Expect.ANSWERED),
        Case.of("huge", Reviews.create("huge-unverified", pod(unverified)), Expect.NO_PATCH),
        Case.of("huge", Reviews.create("huge-same", pod(same)), Expect.ANSWERED),
        Case.of("huge", Reviews.create("huge-same-name", sameName), Expect.ANSWERED),
        Case.of("huge", Reviews.create("huge-image", pod(List.of(longImage.toString()))), Expect.NO_PATCH),
        Case.of("huge", Reviews.create("x".repeat(1 << 20), pod(List.of("nginx:1.27"))), Expect.ANSWERED));
  }

  /** References that are not valid, or not what they seem; none has a verified copy. */
  static final List<String> INVALID_REFERENCES = List.of("", " ", "\t", "${IMAGE}", "{{ .Values.image }}", "nginx:",
      ":1.27", "@sha256:" + "a".repeat(64), "nginx@sha256:abc", "nginx@sha256:" + "g".repeat(64),
      "nginx@md5:" + "a".repeat(32), "a".repeat(300), "x/".repeat(200) + "y", "UPPER/Case:1", "nginx::1.27",
      "nginx:1.27:1.28", "https://nginx:1.27", "nginx:1.27 ", " nginx:1.27", "nginx\n:1.27", "nginx\u0000:1.27",
      "../../etc/passwd", "[::1:5000/app", "localhost:port/app:1", "a".repeat(64), "ghcr.io//app:1", "ghcr.io/app/:1",
      "nginx:" + "t".repeat(200), "nginx:1.27\u202e", "ngi\u00f1x:1.27", "\ud83d\ude00:1", "nginx@", "nginx:@",
      "-nginx:1", "nginx-:1", "ghcr.io:99999999999/app:1", "[fe80::1%eth0]:5000/app:1", "nginx:1.27@sha256:",
      "copies.example.com/keep/docker.io/library/nginx:1.27@" + FakeState.SHA);

  private static List<Case> invalidReferences() {
    List<Case> cases = new ArrayList<>();
    for (String image : INVALID_REFERENCES) {
      cases.add(Case.of("invalid reference", Reviews.create("ref", pod(List.of(image))), Expect.NO_PATCH));
    }
    cases.add(Case.of("invalid reference", Reviews.create("refs", pod(INVALID_REFERENCES)), Expect.NO_PATCH));
    return cases;
  }

  private static List<Case> wrongKinds() throws Exception {
    String deployment = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
         "spec":{"template":{"spec":{"containers":[{"name":"web","image":"nginx:1.27"}]}}}}""";
    String secret = "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"},\"data\":{\"a\":\"Yg==\"}}";
    List<Case> cases = new ArrayList<>();
    for (String[] kind : new String[][] {{"apps", "Deployment", deployment}, {"", "Secret", secret},
        {"example.com", "Pod", Reviews.WEB_POD}, {"apps", "Pod", Reviews.WEB_POD}, {"", "pod", Reviews.WEB_POD},
        {"", "Pods", Reviews.WEB_POD}, {"", " Pod", Reviews.WEB_POD}, {"", "", Reviews.WEB_POD}}) {
      ObjectNode review = (ObjectNode) JSON.readTree(Reviews.create("kind", kind[2]));
      ((ObjectNode) review.get("request")).set("kind", JSON.createObjectNode().put("group", kind[0])
          .put("version", "v1").put("kind", kind[1]));
      cases.add(Case.of("wrong kind", review.toString(), Expect.NO_PATCH));
    }
    // A Deployment sent as a Pod: it holds no Pod spec, so nothing is rewritten.
    cases.add(Case.of("wrong kind", Reviews.create("deployment-as-pod", deployment), Expect.NO_PATCH));
    for (String top : List.of("AdmissionReviewList", "Pod", "", "admissionreview")) {
      cases.add(Case.of("wrong kind", VALID.replace("\"kind\":\"AdmissionReview\"", "\"kind\":\"" + top + "\""),
          Expect.UNREADABLE));
    }
    return cases;
  }

  private static List<Case> withoutUid() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (String uid : List.of("null", "1", "true", "[]", "{}", "[\"a\"]")) {
      ObjectNode review = (ObjectNode) JSON.readTree(VALID);
      ((ObjectNode) review.get("request")).set("uid", JSON.readTree(uid));
      cases.add(Case.of("no uid", review.toString(), Expect.UNREADABLE));
    }
    ObjectNode review = (ObjectNode) JSON.readTree(VALID);
    ((ObjectNode) review.get("request")).remove("uid");
    cases.add(Case.of("no uid", review.toString(), Expect.UNREADABLE));
    review.remove("request");
    cases.add(Case.of("no uid", review.toString(), Expect.UNREADABLE));
    return cases;
  }

  private static List<Case> notAnObject() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (String object : List.of("null", "0", "-1e999", "\"Pod\"", "true", "[]", "[" + Reviews.WEB_POD + "]", "{}",
        "{\"spec\":null,\"metadata\":null}", "{\"metadata\":\"x\",\"spec\":\"y\"}", "{\"spec\":[]}",
        "{\"metadata\":{},\"spec\":{\"containers\":[null]}}",
        "{\"metadata\":{},\"spec\":{\"containers\":[1,2,3]}}",
        "{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":[\"nginx:1.27\"]}]}}",
        "{\"metadata\":{},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":{\"a\":\"nginx:1.27\"}}]}}",
        "{\"metadata\":{\"annotations\":[]},\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{\"labels\":{\"a\":[]}},\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{\"ownerReferences\":{}},\"spec\":{\"containers\":[{\"name\":\"w\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{},\"spec\":{\"imagePullSecrets\":\"x\",\"containers\":[{\"name\":\"w\",\"image\":\"nginx:1.27\"}]}}",
        "{\"metadata\":{},\"spec\":{\"volumes\":[{\"name\":\"v\",\"image\":\"nginx:1.27\"}]}}")) {
      ObjectNode review = (ObjectNode) JSON.readTree(VALID);
      ((ObjectNode) review.get("request")).set("object", JSON.readTree(object));
      cases.add(Case.of("no Pod", review.toString(), Expect.NO_PATCH));
    }
    ObjectNode review = (ObjectNode) JSON.readTree(VALID);
    ((ObjectNode) review.get("request")).remove("object");
    cases.add(Case.of("no Pod", review.toString(), Expect.NO_PATCH));
    return cases;
  }

  private static List<Case> deeplyNested() {
    List<Case> cases = new ArrayList<>();
    for (int depth : new int[] {500, 990, 1_001, 5_000, 100_000, 1_000_000}) {
      String arrays = "[".repeat(depth) + "]".repeat(depth);
      String objects = "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
      Expect expect = depth < 1_000 ? Expect.ANY : Expect.UNREADABLE;
      cases.add(Case.of("deep", arrays, Expect.UNREADABLE));
      cases.add(Case.of("deep", "[".repeat(depth), Expect.UNREADABLE));
      cases.add(Case.of("deep", VALID.replace("\"status\":{}", "\"status\":" + objects), expect));
      cases.add(Case.of("deep", VALID.replace("\"note\":\"", "\"deep\":" + arrays + ",\"note\":\""), expect));
      cases.add(Case.of("deep", VALID.replace("\"object\":{", "\"object\":{\"x\":" + arrays + ","), expect));
    }
    return cases;
  }

  private static List<Case> oddEncodings() {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("encoding", new byte[0], Expect.UNREADABLE));
    cases.add(new Case("encoding", new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, Expect.UNREADABLE));
    cases.add(new Case("encoding", VALID.getBytes(StandardCharsets.UTF_16), Expect.ANY));
    cases.add(new Case("encoding", VALID.getBytes(StandardCharsets.UTF_16LE), Expect.ANY));
    cases.add(Case.of("encoding", VALID + VALID, Expect.ANY));
    cases.add(Case.of("encoding", VALID + "\u0000garbage", Expect.ANY));
    cases.add(Case.of("encoding", "  \n" + VALID + "\n  ", Expect.ANSWERED));
    cases.add(Case.of("encoding", VALID.replace("{\"kind\":\"AdmissionReview\"",
        "{\"kind\":\"AdmissionReview\",\"kind\":\"AdmissionReview\""), Expect.ANY));
    cases.add(Case.of("encoding", VALID.replace("\"uid\":\"fuzz-0\"", "\"uid\":\"\\ud800\""), Expect.ANY));
    cases.add(Case.of("encoding", VALID.replace("\"priority\":0", "\"priority\":" + "9".repeat(5_000)), Expect.ANY));
    cases.add(Case.of("encoding", VALID.replace("\"priority\":0", "\"priority\":1e999999999"), Expect.ANY));
    Random random = new Random(25);
    for (int i = 0; i < 200; i++) {
      byte[] noise = new byte[random.nextInt(2_000)];
      random.nextBytes(noise);
      cases.add(new Case("encoding", noise, Expect.UNREADABLE));
    }
    return cases;
  }

  // --- the one test ---

  @Test
  void everyHostileReviewIsAnsweredOrRefusedAndNoneRewritesWhatItShouldNot() throws Exception {
    List<Case> all = new ArrayList<>();
    all.addAll(truncations());
    all.addAll(mutations(3_000, 20_25L));
    all.addAll(wrongValues(25L));
    all.addAll(huge());
    all.addAll(invalidReferences());
    all.addAll(wrongKinds());
    all.addAll(withoutUid());
    all.addAll(notAnObject());
    all.addAll(deeplyNested());
    all.addAll(oddEncodings());

    Map<String, int[]> tally = new TreeMap<>(); // category -> answered, unreadable, patched
    Map<String, Long> slowest = new TreeMap<>();
    Map<String, Case> slowestCase = new TreeMap<>();
    List<String> failures = new ArrayList<>();
    long started = System.nanoTime();
    for (Case c : all) {
      long start = System.nanoTime();
      Optional<byte[]> answer;
      try {
        answer = handler.handle(c.body());
      } catch (Throwable t) {
        failures.add(c.category() + ": threw " + t);
        continue;
      }
      long took = System.nanoTime() - start;
      if (took > slowest.getOrDefault(c.category(), -1L)) {
        slowest.put(c.category(), took);
        slowestCase.put(c.category(), c);
      }
      int[] counts = tally.computeIfAbsent(c.category(), k -> new int[3]);
      try {
        String problem = check(c, answer, counts);
        if (problem != null) {
          failures.add(c.category() + ": " + problem + " in " + preview(c.body()));
        }
      } catch (Exception e) {
        failures.add(c.category() + ": checking the answer failed: " + e + " in " + preview(c.body()));
      }
    }
    long total = System.nanoTime() - started;
    StringBuilder summary = new StringBuilder("AdmissionFuzzTest: " + all.size() + " reviews in " + total / 1_000_000
        + " ms");
    tally.forEach((category, counts) -> summary.append(String.format("%n  %-18s answered %5d, unreadable %5d,"
        + " patched %4d, slowest %6.1f ms (%d bytes)", category, counts[0], counts[1], counts[2],
        slowest.getOrDefault(category, 0L) / 1e6, slowestCase.get(category).body().length)));
    System.out.println(summary);

    assertThat(failures).as(summary.toString()).isEmpty();
    assertThat(all).hasSizeGreaterThan(3_000 + VALID.length());
    // The valid review itself is rewritten, so the absence of patches above means something.
    assertThat(Reviews.patch(Reviews.read(handler.handle(Reviews.bytes(VALID))))).isPresent();
    assertThat(tally.get("truncated")[1]).isEqualTo(VALID.getBytes(StandardCharsets.UTF_8).length);
    assertThat(tally.get("huge")[2]).as("the huge Pods with verified images are rewritten").isEqualTo(4);
  }

  private static String preview(byte[] body) {
    String text = new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
    return body.length > 300 ? text + "... (" + body.length + " bytes)" : text;
  }

  /** The problem with an answer, or null. */
  private static String check(Case c, Optional<byte[]> answer, int[] counts) throws Exception {
    if (answer.isEmpty()) {
      counts[1]++;
      return c.expect() == Expect.UNREADABLE || c.expect() == Expect.ANY ? null : "no answer";
    }
    counts[0]++;
    if (c.expect() == Expect.UNREADABLE) {
      return "answered " + new String(answer.get(), StandardCharsets.UTF_8);
    }
    JsonNode root = JSON.readTree(answer.get());
    JsonNode response = root.path("response");
    if (!root.path("apiVersion").asText().equals("admission.k8s.io/v1") || !root.path("kind").asText()
        .equals("AdmissionReview") || !response.path("uid").isTextual()
        || !response.path("allowed").isBoolean() || !response.path("allowed").booleanValue()) {
      return "not an allowing AdmissionReview: " + root;
    }
    Optional<JsonNode> patch = Reviews.patch(root);
    if (patch.isEmpty()) {
      return response.has("patchType") ? "a patch type without a patch" : null;
    }
    counts[2]++;
    if (c.expect() == Expect.NO_PATCH) {
      return "patched: " + patch.get();
    }
    if (!response.path("patchType").asText().equals("JSONPatch")) {
      return "a patch without its type";
    }
    return checkPatch(JSON.readTree(c.body()).path("request"), patch.get());
  }

  /** A patch may only be for a Pod creation or ephemeral update, and only point image fields at verified copies. */
  private static String checkPatch(JsonNode request, JsonNode patch) throws Exception {
    String operation = request.path("operation").asText("");
    String subResource = request.path("subResource").asText("");
    boolean create = operation.equals("CREATE") && subResource.isEmpty();
    boolean ephemeral = operation.equals("UPDATE") && subResource.equals("ephemeralcontainers");
    if (!create && !ephemeral || request.path("dryRun").asBoolean(false)
        || !request.path("kind").path("kind").asText().equals("Pod")
        || !request.path("kind").path("group").asText("").isEmpty()) {
      return "patched a request it must leave alone";
    }
    for (JsonNode op : patch) {
      String path = op.path("path").asText();
      if (!WRITABLE.matcher(path).matches()) {
        return "writes " + path;
      }
      if (path.equals("/metadata/annotations") && op.path("op").asText().equals("add")) {
        for (Iterator<String> keys = op.path("value").fieldNames(); keys.hasNext(); ) {
          String key = keys.next();
          if (!OUR_ANNOTATIONS.contains(key)) {
            return "writes annotation " + key;
          }
        }
      }
      if (path.endsWith("/image") || path.endsWith("/reference")) {
        if (op.path("op").asText().equals("replace") && !TARGETS.contains(op.path("value").asText())) {
          return "points " + path + " at " + op.path("value");
        }
      }
    }
    // The patch applies to the object sent (or, when the object holds values of the wrong type that
    // the API server never sends, to the Pod as the webhook read it), and changes images only to copies.
    JsonNode object = request.path("object");
    JsonNode after;
    try {
      after = JsonPatch.apply(patch, object);
    } catch (JsonPatchException e) {
      JsonNode typed = JSON.readTree(KUBE.asJson(KUBE.convertValue(object, Pod.class)));
      after = JsonPatch.apply(patch, typed);
      object = typed;
    }
    List<String> changed = new ArrayList<>();
    collectImages(object, after, changed);
    for (String image : changed) {
      if (!TARGETS.contains(image)) {
        return "an image became " + image;
      }
    }
    return changed.isEmpty() ? "a patch that changes no image" : null;
  }

  private static void collectImages(JsonNode before, JsonNode after, List<String> changed) {
    for (String list : List.of("initContainers", "containers", "ephemeralContainers")) {
      JsonNode items = after.path("spec").path(list);
      for (int i = 0; i < items.size(); i++) {
        JsonNode image = items.get(i).path("image");
        if (!image.equals(before.path("spec").path(list).path(i).path("image"))) {
          changed.add(image.asText());
        }
      }
    }
  }
}

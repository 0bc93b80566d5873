package dev.holdfast.oci.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads OpenShift ImageDigestMirrorSet and ImageTagMirrorSet ({@code config.openshift.io/v1}),
 * ImageContentSourcePolicy ({@code operator.openshift.io/v1alpha1}, deprecated) and {@code kind:
 * List} documents, feeding their mirror sets to a {@link RuleSetBuilder}. Sources and mirrors are
 * validated with the patterns the OpenShift API server enforces.
 */
final class OpenShiftMirrorSets {

  static final String IDMS = "ImageDigestMirrorSet";
  static final String ITMS = "ImageTagMirrorSet";
  static final String ICSP = "ImageContentSourcePolicy";
  static final String LIST = "List";

  private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final String HOST_PORT =
      DOMAIN_COMPONENT + "(?:(?:\\." + DOMAIN_COMPONENT + ")+)?(?::[0-9]+)?";
  private static final String PATH = "(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?";
  // The +kubebuilder:validation:Pattern of config.openshift.io/v1 source and ImageMirror.
  private static final Pattern SOURCE =
      Pattern.compile("\\*(?:\\." + DOMAIN_COMPONENT + ")+|" + HOST_PORT + PATH);
  private static final Pattern MIRROR = Pattern.compile(HOST_PORT + PATH);

  private OpenShiftMirrorSets() {}

  static boolean isKind(String kind) {
    return kind.equals(IDMS) || kind.equals(ITMS) || kind.equals(ICSP) || kind.equals(LIST);
  }

  /** Reads one object of a supported kind ({@link #isKind}). */
  static void read(Path file, String label, JsonNode object, RuleSetBuilder builder) {
    Fields probe = Fields.of(file, label.isEmpty() ? "document" : label, object);
    String kind = probe.string("kind").orElse("");
    String name = Optional.ofNullable(object.get("metadata")).map(m -> m.get("name"))
        .filter(JsonNode::isTextual).map(JsonNode::asText).orElse("");
    String who = join(label, kind + (name.isEmpty() ? "" : " \"" + name + "\""));
    Fields top = Fields.of(file, who, object);
    String apiVersion = top.string("apiVersion").orElse("");
    if (kind.equals(LIST)) {
      List<JsonNode> items = top.array("items");
      for (int i = 0; i < items.size(); i++) {
        Fields item = Fields.of(file, join(label, "items[" + i + "]"), items.get(i));
        String itemKind = item.string("kind").orElse("");
        if (itemKind.equals(LIST) || !isKind(itemKind)) {
          throw item.problem("kind", "'" + itemKind + "' is not one of " + IDMS + ", " + ITMS
              + ", " + ICSP);
        }
        read(file, item.entry(), items.get(i), builder);
      }
      return;
    }
    String expectedGroup = kind.equals(ICSP) ? "operator.openshift.io/" : "config.openshift.io/";
    if (!apiVersion.isEmpty() && !apiVersion.startsWith(expectedGroup)) {
      throw top.problem("apiVersion", "'" + apiVersion + "' is not in " + expectedGroup
          + " (expected for kind " + kind + ")");
    }
    JsonNode specNode = object.get("spec");
    if (specNode == null || specNode.isNull()) {
      return; // an empty set configures nothing
    }
    Fields spec = Fields.of(file, who + " spec", specNode);
    String listField = switch (kind) {
      case IDMS -> "imageDigestMirrors";
      case ITMS -> "imageTagMirrors";
      default -> "repositoryDigestMirrors";
    };
    List<JsonNode> entries = spec.array(listField);
    for (int i = 0; i < entries.size(); i++) {
      readEntry(file, who + " spec." + listField + "[" + i + "]", kind, entries.get(i), builder);
    }
  }

  private static String join(String label, String more) {
    return label == null || label.isEmpty() ? more : label + " " + more;
  }

  private static void readEntry(
      Path file, String label, String kind, JsonNode node, RuleSetBuilder builder) {
    Fields probe = Fields.of(file, label, node);
    String source = probe.string("source").orElse("");
    Fields entry = Fields.of(file, label + (source.isEmpty() ? "" : " (source \"" + source + "\")"),
        node);
    boolean strict = !kind.equals(ICSP);
    String checkedSource = strict ? source : Prefixes.trim(source);
    if (checkedSource.isEmpty()) {
      throw entry.problem("source", "is required");
    }
    if (strict && !SOURCE.matcher(source).matches()) {
      throw entry.problem("source", "'" + source
          + "' is not host[:port][/namespace...][/repository] or *.host");
    }
    Prefixes.prefixProblem(checkedSource).ifPresent(p -> {
      throw entry.problem("source", "'" + source + "' " + p);
    });
    List<String> rawMirrors = entry.strings("mirrors");
    List<String> mirrors = new ArrayList<>();
    for (int j = 0; j < rawMirrors.size(); j++) {
      String raw = rawMirrors.get(j);
      String mirror = strict ? raw : Prefixes.trim(raw);
      String field = "mirrors[" + j + "]";
      if (strict && !MIRROR.matcher(raw).matches()) {
        throw entry.problem(field, "'" + raw + "' is not host[:port][/namespace...][/repository]");
      }
      Prefixes.locationProblem(mirror).ifPresent(p -> {
        throw entry.problem(field, "'" + raw + "' " + p);
      });
      mirrors.add(mirror);
    }
    boolean never = false;
    if (strict) {
      String policy = entry.string("mirrorSourcePolicy").orElse("");
      switch (policy) {
        case "", "AllowContactingSource" -> never = false;
        case "NeverContactSource" -> never = true;
        default -> throw entry.problem("mirrorSourcePolicy",
            "'" + policy + "' is not one of NeverContactSource, AllowContactingSource");
      }
    }
    String origin = file + ": " + entry.entry();
    if (kind.equals(ITMS)) {
      builder.addTagSet(checkedSource, mirrors, never, origin);
    } else {
      builder.addDigestSet(checkedSource, mirrors, never, origin);
    }
  }
}

package dev.holdfast.oci.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a containers-registries.conf(5) TOML document (v2, or v1 outside drop-ins) into rules,
 * validating it the way containers/image does when it loads the file, plus grammar checks on every
 * prefix and location so that a rule that could never match or never rewrite is refused up front.
 */
final class RegistriesConfParser {

  private static final Logger LOG = LoggerFactory.getLogger(RegistriesConfParser.class);

  private static final Set<String> REGISTRY_FIELDS =
      Set.of("prefix", "location", "insecure", "blocked", "mirror-by-digest-only",
          "pull-from-mirror", "mirror");
  private static final Set<String> MIRROR_FIELDS = Set.of("location", "insecure", "pull-from-mirror");
  private static final Set<String> V2_GLOBALS =
      Set.of("registry", "unqualified-search-registries", "credential-helpers", "short-name-mode",
          "additional-layer-store-auth-helper", "aliases");
  private static final Set<String> SHORT_NAME_MODES = Set.of("disabled", "enforcing", "permissive");

  private RegistriesConfParser() {}

  /** Parses one file's tree; {@code dropIn} refuses the v1 format, as registries.conf.d does. */
  static List<MirrorRule> parse(Path file, JsonNode root, boolean dropIn) {
    Fields top = Fields.of(file, "top level", root);
    boolean v1 = isV1(root);
    boolean v2 = root.properties().stream().anyMatch(e -> V2_GLOBALS.contains(e.getKey()));
    if (v1 && dropIn) {
      throw top.problem("registries", "a drop-in must use the v2 format ([[registry]] tables), not v1");
    }
    if (v1 && v2) {
      throw top.problem("registries", "mixing the v1 format ([registries.*]) with v2 is not supported");
    }
    for (var field : root.properties()) {
      if (!V2_GLOBALS.contains(field.getKey()) && !field.getKey().equals("registries")) {
        LOG.warn("{}: ignoring unknown key '{}'", file, field.getKey());
      }
    }
    // Parsed for validation only: Holdfast never resolves short names.
    top.strings("unqualified-search-registries");
    top.strings("credential-helpers");
    top.string("additional-layer-store-auth-helper");
    Optional<String> mode = top.string("short-name-mode");
    if (mode.isPresent() && !mode.get().isEmpty() && !SHORT_NAME_MODES.contains(mode.get())) {
      throw top.problem("short-name-mode",
          "'" + mode.get() + "' is not one of disabled, enforcing, permissive");
    }
    if (root.has("aliases") && !root.get("aliases").isObject()) {
      throw top.problem("aliases", "must be a table");
    }
    return v1 ? fromV1(file, top) : fromV2(file, top);
  }

  private static boolean isV1(JsonNode root) {
    JsonNode registries = root.get("registries");
    return registries != null && registries.isObject() && !registries.isEmpty();
  }

  private static List<MirrorRule> fromV1(Path file, Fields top) {
    Fields registries = Fields.of(file, "[registries]", top.node().get("registries"));
    Map<String, boolean[]> byLocation = new LinkedHashMap<>(); // {insecure, blocked}
    for (String list : List.of("block", "insecure")) {
      JsonNode table = registries.node().get(list);
      if (table == null) {
        continue;
      }
      Fields section = Fields.of(file, "[registries." + list + "]", table);
      List<String> locations = section.strings("registries");
      for (int i = 0; i < locations.size(); i++) {
        String raw = locations.get(i);
        String location = Prefixes.trim(raw);
        String field = "registries[" + i + "]";
        Prefixes.prefixProblem(location).ifPresent(p -> {
          throw section.problem(field, "'" + raw + "' " + p);
        });
        boolean[] flags = byLocation.computeIfAbsent(location, l -> new boolean[2]);
        flags[list.equals("insecure") ? 0 : 1] = true;
      }
    }
    List<MirrorRule> rules = new ArrayList<>();
    byLocation.forEach((location, flags) -> rules.add(new MirrorRule(location,
        Prefixes.isWildcard(location) ? Optional.empty() : Optional.of(location),
        flags[0], flags[1], List.of(), file + ": [registries] " + location)));
    return rules;
  }

  private static List<MirrorRule> fromV2(Path file, Fields top) {
    List<JsonNode> entries = top.array("registry");
    Map<String, MirrorRule> byPrefix = new LinkedHashMap<>();
    Map<String, MirrorRule> byLocation = new HashMap<>();
    Map<MirrorRule, String> labels = new HashMap<>();
    for (int i = 0; i < entries.size(); i++) {
      MirrorRule rule = parseRegistry(file, i, entries.get(i));
      String label = rule.origin().substring(file.toString().length() + 2);
      labels.put(rule, label);
      // A location (or, without one, a wildcard prefix) used by several entries must agree on
      // 'insecure' and 'blocked', as containers/image requires.
      String key = rule.location().orElse(rule.prefix());
      MirrorRule other = byLocation.putIfAbsent(key, rule);
      if (other != null) {
        for (String flag : List.of("insecure", "blocked")) {
          boolean a = flag.equals("insecure") ? rule.insecure() : rule.blocked();
          boolean b = flag.equals("insecure") ? other.insecure() : other.blocked();
          if (a != b) {
            throw new MirrorConfigException(file, label, flag,
                "registry '" + key + "' is defined again with a conflicting '" + flag
                    + "' setting (see " + labels.get(other) + ")");
          }
        }
      }
      if (byPrefix.containsKey(rule.prefix())) {
        // containers/image silently keeps the first entry for a prefix; so do we, with a warning.
        LOG.warn("{}: {} repeats prefix '{}' and is ignored (the first entry wins)",
            file, label, rule.prefix());
        continue;
      }
      byPrefix.put(rule.prefix(), rule);
    }
    return new ArrayList<>(byPrefix.values());
  }

  private static MirrorRule parseRegistry(Path file, int index, JsonNode node) {
    String label = "registry[" + index + "]";
    Fields probe = Fields.of(file, label, node);
    Optional<String> rawPrefix = probe.string("prefix");
    Optional<String> rawLocation = probe.string("location");
    String named = rawPrefix.filter(p -> !p.isEmpty()).map(p -> " (prefix \"" + p + "\")")
        .orElse(rawLocation.map(l -> " (location \"" + l + "\")").orElse(""));
    Fields entry = Fields.of(file, label + named, node);
    warnUnknown(file, entry, REGISTRY_FIELDS);

    String location = Prefixes.trim(rawLocation.orElse(""));
    String prefix = Prefixes.trim(rawPrefix.orElse(""));
    if (!location.isEmpty()) {
      Prefixes.locationProblem(location).ifPresent(p -> {
        throw entry.problem("location", "'" + rawLocation.get() + "' " + p);
      });
    }
    if (prefix.isEmpty()) {
      if (location.isEmpty()) {
        throw entry.problem("location", "both 'prefix' and 'location' are unset");
      }
      prefix = location;
    } else {
      String original = rawPrefix.get();
      Prefixes.prefixProblem(prefix).ifPresent(p -> {
        throw entry.problem("prefix", "'" + original + "' " + p);
      });
      if (!Prefixes.isWildcard(prefix) && location.isEmpty()) {
        throw entry.problem("location",
            "is unset, which only a wildcard prefix (*.example.com) allows");
      }
    }
    if (entry.string("pull-from-mirror").filter(s -> !s.isEmpty()).isPresent()) {
      throw entry.problem("pull-from-mirror",
          "may only be set on a [[registry.mirror]], not on the registry itself");
    }
    boolean digestOnly = entry.bool("mirror-by-digest-only");
    List<JsonNode> mirrorNodes = entry.array("mirror");
    List<Mirror> mirrors = new ArrayList<>();
    for (int j = 0; j < mirrorNodes.size(); j++) {
      mirrors.add(parseMirror(file, entry.entry() + " mirror[" + j + "]", mirrorNodes.get(j),
          digestOnly, entry.entry()));
    }
    return new MirrorRule(prefix, location.isEmpty() ? Optional.empty() : Optional.of(location),
        entry.bool("insecure"), entry.bool("blocked"), mirrors, file + ": " + entry.entry());
  }

  private static Mirror parseMirror(
      Path file, String label, JsonNode node, boolean registryDigestOnly, String registryLabel) {
    Fields mirror = Fields.of(file, label, node);
    warnUnknown(file, mirror, MIRROR_FIELDS);
    String raw = mirror.string("location").orElse("");
    String location = Prefixes.trim(raw);
    if (location.isEmpty()) {
      throw mirror.problem("location", "is unset; every mirror needs a location");
    }
    Prefixes.locationProblem(location).ifPresent(p -> {
      throw mirror.problem("location", "'" + raw + "' " + p);
    });
    Optional<String> pull = mirror.string("pull-from-mirror").filter(s -> !s.isEmpty());
    PullPolicy policy;
    if (registryDigestOnly) {
      if (pull.isPresent()) {
        throw mirror.problem("pull-from-mirror", "cannot be combined with mirror-by-digest-only on "
            + registryLabel + "; use one or the other");
      }
      policy = PullPolicy.DIGEST_ONLY; // the legacy registry-wide switch, per mirror
    } else {
      policy = pull.map(p -> PullPolicy.fromConfigValue(p).orElseThrow(() -> mirror.problem(
              "pull-from-mirror", "'" + p + "' is not one of all, digest-only, tag-only")))
          .orElse(PullPolicy.ALL);
    }
    return new Mirror(location, policy, mirror.bool("insecure"), Optional.empty());
  }

  private static void warnUnknown(Path file, Fields entry, Set<String> known) {
    for (var field : entry.node().properties()) {
      if (!known.contains(field.getKey())) {
        LOG.warn("{}: {}: ignoring unknown key '{}'", file, entry.entry(), field.getKey());
      }
    }
  }
}

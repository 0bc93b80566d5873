package dev.holdfast.oci.mirror;

import com.fasterxml.jackson.databind.JsonNode;
import dev.holdfast.oci.tls.InvalidTrustBundleException;
import dev.holdfast.oci.tls.PemBundle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Holdfast's simple redirect list ({@code redirects: [{src, to}]}) into rules. Entries with
 * the same {@code src} become one rule whose mirrors keep the file's order. Besides {@code src} and
 * {@code to} an entry may set {@code pullFromMirror}, {@code insecure}, {@code caBundle} (a PEM
 * file, relative to the redirect file) and {@code blocked}.
 */
final class RedirectParser {

  static final String KEY = "redirects";
  private static final Set<String> FIELDS =
      Set.of("src", "to", "pullFromMirror", "insecure", "caBundle", "blocked");

  private RedirectParser() {}

  static List<MirrorRule> read(Path file, String label, JsonNode document) {
    Fields top = Fields.of(file, label == null ? "document" : label, document);
    for (var field : document.properties()) {
      if (!field.getKey().equals(KEY)) {
        throw top.problem(field.getKey(), "unknown key; a redirect file has only 'redirects'");
      }
    }
    record Accumulated(String origin, List<Mirror> mirrors, boolean[] blocked) {}
    Map<String, Accumulated> bySource = new LinkedHashMap<>();
    List<JsonNode> entries = top.array(KEY);
    for (int i = 0; i < entries.size(); i++) {
      String entryLabel = (label == null ? "" : label + " ") + KEY + "[" + i + "]";
      Fields probe = Fields.of(file, entryLabel, entries.get(i));
      Optional<String> rawSrc = probe.string("src");
      Fields entry = Fields.of(file, entryLabel
          + rawSrc.map(s -> " (src \"" + s + "\")").orElse(""), entries.get(i));
      for (var field : entries.get(i).properties()) {
        if (!FIELDS.contains(field.getKey())) {
          throw entry.problem(field.getKey(), "unknown field; expected one of " + FIELDS);
        }
      }
      String src = Prefixes.trim(rawSrc.orElse(""));
      if (src.isEmpty()) {
        throw entry.problem("src", "is required");
      }
      Prefixes.prefixProblem(src).ifPresent(p -> {
        throw entry.problem("src", "'" + rawSrc.get() + "' " + p);
      });
      Accumulated acc = bySource.computeIfAbsent(src,
          s -> new Accumulated(file + ": " + entry.entry(), new ArrayList<>(), new boolean[1]));
      boolean blocked = entry.bool("blocked");
      acc.blocked()[0] |= blocked;
      Optional<String> rawTo = entry.string("to");
      if (rawTo.isEmpty()) {
        if (!blocked) {
          throw entry.problem("to", "is required (or set 'blocked: true' to only block src)");
        }
        for (String onlyWithTo : List.of("pullFromMirror", "insecure", "caBundle")) {
          if (entries.get(i).has(onlyWithTo)) {
            throw entry.problem(onlyWithTo, "describes a mirror, but the entry has no 'to'");
          }
        }
        continue;
      }
      String to = Prefixes.trim(rawTo.get());
      Prefixes.locationProblem(to).ifPresent(p -> {
        throw entry.problem("to", "'" + rawTo.get() + "' " + p);
      });
      PullPolicy policy = entry.string("pullFromMirror")
          .map(p -> PullPolicy.fromConfigValue(p).orElseThrow(() -> entry.problem("pullFromMirror",
              "'" + p + "' is not one of all, digest-only, tag-only")))
          .orElse(PullPolicy.ALL);
      Optional<Path> caBundle = entry.string("caBundle").map(ca -> {
        Path parent = file.toAbsolutePath().getParent();
        Path resolved = parent == null ? Path.of(ca) : parent.resolve(ca);
        if (!Files.isRegularFile(resolved) || !Files.isReadable(resolved)) {
          throw entry.problem("caBundle", "'" + ca + "' is not a readable file (looked at "
              + resolved + ")");
        }
        try {
          PemBundle.read(resolved);
        } catch (InvalidTrustBundleException e) {
          throw entry.problem("caBundle", "'" + ca + "' is not a usable CA bundle: " + e.getMessage());
        }
        return resolved.normalize();
      });
      acc.mirrors().add(new Mirror(to, policy, entry.bool("insecure"), caBundle));
    }
    List<MirrorRule> rules = new ArrayList<>();
    bySource.forEach((src, acc) -> rules.add(new MirrorRule(src,
        Prefixes.isWildcard(src) ? Optional.empty() : Optional.of(src),
        false, acc.blocked()[0], acc.mirrors(), acc.origin())));
    return rules;
  }
}

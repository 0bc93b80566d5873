package dev.holdfast.oci.mirror;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Accumulates rules from every configuration source into one rule set. registries.conf entries and
 * redirects replace earlier rules with the same prefix (drop-in semantics); OpenShift mirror sets
 * are merged across all inputs and applied last, the way the machine-config-operator edits
 * registries.conf ({@code EditRegistriesConfig} in openshift/runtime-utils).
 */
final class RuleSetBuilder {

  private final Map<String, MirrorRule> rules = new LinkedHashMap<>();
  private final MirrorSetMerger digestSets = new MirrorSetMerger();
  private final MirrorSetMerger tagSets = new MirrorSetMerger();

  void replace(List<MirrorRule> fileRules) {
    for (MirrorRule rule : fileRules) {
      rules.remove(rule.prefix()); // a replaced prefix moves to the end, like a new entry
      rules.put(rule.prefix(), rule);
    }
  }

  void addDigestSet(String source, List<String> mirrors, boolean neverContactSource, String origin) {
    digestSets.add(source, mirrors, neverContactSource, origin);
  }

  void addTagSet(String source, List<String> mirrors, boolean neverContactSource, String origin) {
    tagSets.add(source, mirrors, neverContactSource, origin);
  }

  MirrorRules build() {
    List<MirrorSetMerger.Merged> digest = digestSets.merged();
    List<MirrorSetMerger.Merged> tag = tagSets.merged();
    apply(digest, PullPolicy.DIGEST_ONLY);
    apply(tag, PullPolicy.TAG_ONLY);
    List<MirrorSetMerger.Merged> all = new ArrayList<>(digest);
    all.addAll(tag);
    for (MirrorSetMerger.Merged set : all) {
      copyMirrorsToNestedRules(set);
    }
    return MirrorRules.of(rules.values());
  }

  private void apply(List<MirrorSetMerger.Merged> sets, PullPolicy policy) {
    for (MirrorSetMerger.Merged set : sets) {
      MirrorRule rule = rules.computeIfAbsent(set.source(), s -> newRule(s, set.origin()));
      List<Mirror> mirrors = new ArrayList<>(rule.mirrors());
      for (String location : set.mirrors()) {
        mirrors.add(new Mirror(location, policy, false, Optional.empty()));
      }
      rules.put(set.source(), rule.withMirrors(mirrors).withBlocked(rule.blocked() || set.blocked()));
    }
  }

  private static MirrorRule newRule(String source, String origin) {
    Optional<String> location =
        Prefixes.isWildcard(source) ? Optional.empty() : Optional.of(source);
    return new MirrorRule(source, location, false, false, List.of(), origin);
  }

  // A rule nested inside a mirrored source (say an insecure quay.io/ns/repo under a mirrored
  // quay.io/ns) would otherwise win the longest-prefix match and lose the mirrors; the MCO gives it
  // the source's mirrors with the extra path appended, when it has none of its own.
  private void copyMirrorsToNestedRules(MirrorSetMerger.Merged set) {
    String scope = set.source();
    MirrorRule mirrored = rules.get(scope);
    for (MirrorRule rule : List.copyOf(rules.values())) {
      if (rule.prefix().equals(scope)
          || !Prefixes.isNested(rule.prefix(), scope)
          || !rule.mirrors().isEmpty()) {
        continue;
      }
      if (Prefixes.isWildcard(scope)) {
        throw new MirrorConfigException(
            null,
            rule.origin(),
            "prefix",
            "rule " + rule.prefix() + " lies inside the wildcard mirror source " + scope + " ("
                + set.origin() + ") and has no mirrors of its own; the machine-config-operator"
                + " refuses this combination: give the rule its own mirrors or remove it");
      }
      String suffix = rule.prefix().substring(scope.length());
      List<Mirror> adjusted =
          mirrored.mirrors().stream().map(m -> m.withLocation(m.location() + suffix)).toList();
      rules.put(rule.prefix(), rule.withMirrors(adjusted));
    }
  }
}

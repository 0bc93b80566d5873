package dev.holdfast.oci.mirror;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.reference.InvalidReferenceException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable set of mirror rules and the pure function that resolves a reference against them,
 * with the semantics of containers-registries.conf(5) v2: the longest matching prefix wins, its
 * mirrors come first (filtered by pull policy), then the source unless it is blocked.
 */
public final class MirrorRules {

  private static final MirrorRules EMPTY = new MirrorRules(List.of());

  // Sorted by prefix, one rule per prefix: with equally long matches the first in this order wins,
  // as in containers/image where the registries are kept sorted by prefix.
  private final List<MirrorRule> rules;

  private MirrorRules(List<MirrorRule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** No rules: every reference resolves to itself. */
  public static MirrorRules empty() {
    return EMPTY;
  }

  /** The given rules; a later rule replaces an earlier one with the same prefix. */
  public static MirrorRules of(Collection<MirrorRule> rules) {
    TreeMap<String, MirrorRule> byPrefix = new TreeMap<>();
    for (MirrorRule rule : rules) {
      byPrefix.put(rule.prefix(), rule);
    }
    return new MirrorRules(new ArrayList<>(byPrefix.values()));
  }

  /** The rules, sorted by prefix. */
  public List<MirrorRule> rules() {
    return rules;
  }

  /**
   * The rule that governs a repository name ({@code registry/repository}, normalised): the one
   * with the longest matching prefix, or empty when none matches.
   */
  public Optional<MirrorRule> ruleFor(String name) {
    MirrorRule best = null;
    for (MirrorRule rule : rules) {
      if (Prefixes.matchLength(name, rule.prefix()) >= 0
          && (best == null || rule.prefix().length() > best.prefix().length())) {
        best = rule;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Resolves a reference to the places to pull it from, in order.
   *
   * @throws MirrorConfigException when the matching rule rewrites the reference to something that
   *     is not a valid, canonical reference (for example a mirror location that is too long)
   */
  public Resolution resolve(ImageReference reference) {
    // Like containers/image, the rule is chosen on the name (no tag or digest) and the rewrite
    // keeps everything after the prefix, tag and digest included.
    Optional<MirrorRule> found = ruleFor(reference.name());
    if (found.isEmpty()) {
      return new Resolution(
          reference,
          Optional.empty(),
          List.of(new Candidate(reference, false, false, Optional.empty())),
          false);
    }
    MirrorRule rule = found.get();
    boolean digested = reference.digest().isPresent();
    List<Candidate> candidates = new ArrayList<>();
    for (Mirror mirror : rule.mirrors()) {
      if (!mirror.pullPolicy().serves(digested)) {
        continue;
      }
      ImageReference rewritten = rewrite(rule, mirror.location(), reference);
      // containers/image refuses to contact a location that a blocked rule governs.
      if (!isBlocked(rewritten)) {
        candidates.add(new Candidate(rewritten, true, mirror.insecure(), mirror.caBundle()));
      }
    }
    boolean blocked = rule.blocked();
    if (!blocked) {
      ImageReference source =
          rule.location().map(l -> rewrite(rule, l, reference)).orElse(reference);
      if (isBlocked(source)) {
        blocked = true;
      } else {
        candidates.add(new Candidate(source, false, rule.insecure(), Optional.<Path>empty()));
      }
    }
    return new Resolution(reference, Optional.of(rule.prefix()), candidates, blocked);
  }

  private boolean isBlocked(ImageReference physical) {
    return ruleFor(physical.name()).map(MirrorRule::blocked).orElse(false);
  }

  private static ImageReference rewrite(MirrorRule rule, String location, ImageReference reference) {
    String full = reference.toString();
    int matched = Prefixes.matchLength(full, rule.prefix());
    if (matched < 0) {
      throw new IllegalStateException(
          "rule " + rule.prefix() + " was chosen for " + full + " but does not match it");
    }
    String rewritten = location + full.substring(matched);
    String problem;
    try {
      ImageReference parsed = ImageReference.parse(rewritten);
      if (parsed.toString().equals(rewritten)) {
        return parsed;
      }
      problem = "it is not canonical (it normalises to " + parsed + ")";
    } catch (InvalidReferenceException e) {
      problem = e.getMessage();
    }
    throw new MirrorConfigException(
        null,
        rule.origin(),
        "location",
        "'" + location + "' rewrites " + full + " to " + rewritten
            + ", which is not a valid reference: " + problem);
  }

  @Override
  public String toString() {
    return "MirrorRules" + rules.stream().map(MirrorRule::prefix).sorted(Comparator.naturalOrder()).toList();
  }
}

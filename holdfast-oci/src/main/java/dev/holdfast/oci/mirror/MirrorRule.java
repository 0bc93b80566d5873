package dev.holdfast.oci.mirror;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One registries.conf {@code [[registry]]} entry: the prefix it governs, where the source really
 * lives ({@code location}; empty for a wildcard prefix, meaning "as written"), its mirrors in order,
 * and whether the source is insecure or blocked. {@code origin} names the file and entry it came
 * from, for messages.
 */
public record MirrorRule(
    String prefix,
    Optional<String> location,
    boolean insecure,
    boolean blocked,
    List<Mirror> mirrors,
    String origin) {

  public MirrorRule {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(origin, "origin");
    mirrors = List.copyOf(mirrors);
    Prefixes.prefixProblem(prefix).ifPresent(p -> {
      throw new IllegalArgumentException("rule prefix '" + prefix + "' " + p);
    });
    location.flatMap(Prefixes::locationProblem).ifPresent(p -> {
      throw new IllegalArgumentException("rule " + prefix + ": location '" + location.get() + "' " + p);
    });
    if (location.isEmpty() && !Prefixes.isWildcard(prefix)) {
      throw new IllegalArgumentException(
          "rule " + prefix + ": only a wildcard prefix (*.example.com) may have no location");
    }
  }

  /** A rule whose source lives where its prefix says (a wildcard prefix: as written). */
  public static MirrorRule of(String prefix, List<Mirror> mirrors) {
    Optional<String> location =
        Prefixes.isWildcard(prefix) ? Optional.empty() : Optional.of(prefix);
    return new MirrorRule(prefix, location, false, false, mirrors, "rule " + prefix);
  }

  MirrorRule withMirrors(List<Mirror> newMirrors) {
    return new MirrorRule(prefix, location, insecure, blocked, newMirrors, origin);
  }

  MirrorRule withBlocked(boolean newBlocked) {
    return new MirrorRule(prefix, location, insecure, newBlocked, mirrors, origin);
  }
}

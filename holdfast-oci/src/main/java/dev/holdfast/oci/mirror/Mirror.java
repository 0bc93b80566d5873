package dev.holdfast.oci.mirror;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * One mirror of a rule's source: the location that replaces the matched prefix, which references
 * it serves, whether TLS verification is skipped, and an optional CA bundle to trust.
 */
public record Mirror(String location, PullPolicy pullPolicy, boolean insecure, Optional<Path> caBundle) {

  public Mirror {
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(pullPolicy, "pullPolicy");
    Objects.requireNonNull(caBundle, "caBundle");
    Prefixes.locationProblem(location).ifPresent(p -> {
      throw new IllegalArgumentException("mirror location '" + location + "' " + p);
    });
  }

  /** A mirror serving tag and digest references, verified with the system trust store. */
  public static Mirror of(String location) {
    return new Mirror(location, PullPolicy.ALL, false, Optional.empty());
  }

  Mirror withLocation(String newLocation) {
    return new Mirror(newLocation, pullPolicy, insecure, caBundle);
  }
}

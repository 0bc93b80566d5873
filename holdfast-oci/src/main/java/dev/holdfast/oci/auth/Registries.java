package dev.holdfast.oci.auth;

import java.util.Locale;

/** Host name normalisation shared by the config readers. */
final class Registries {
  static final String DOCKER_HUB = "docker.io";
  /** The key {@code docker login} writes for Docker Hub, and the server URL helpers store it under. */
  static final String DOCKER_HUB_LEGACY_KEY = "https://index.docker.io/v1/";

  private Registries() {}

  /** Lower-cases the host and maps Docker Hub's other names to {@code docker.io}. */
  static String normalizeHost(String registry) {
    String lower = registry.toLowerCase(Locale.ROOT);
    return switch (lower) {
      case "index.docker.io", "registry-1.docker.io" -> DOCKER_HUB;
      default -> lower;
    };
  }

  /** Removes a leading {@code http://} or {@code https://}; null when there was none. */
  static String stripScheme(String key) {
    String lower = key.toLowerCase(Locale.ROOT);
    if (lower.startsWith("https://")) {
      return key.substring("https://".length());
    }
    if (lower.startsWith("http://")) {
      return key.substring("http://".length());
    }
    return null;
  }
}

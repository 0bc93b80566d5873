package dev.holdfast.operator.upstream;

import java.time.Duration;
import java.util.Objects;

/**
 * How many upstream checks one registry may receive in a period. Checks are spread, not burst: at
 * most a sixtieth of the period's allowance (and at least one) goes out at once, and the rest
 * follow at the budget's rate.
 *
 * @param registry the registry ({@code docker.io} covers Docker Hub's other names)
 * @param requests checks allowed per {@code period}
 */
public record Budget(String registry, int requests, Duration period) {
  /** Docker Hub: 600 manifest HEADs an hour. Docker counts pulls (GETs), not HEADs; this stays modest anyway. */
  public static final Budget DOCKER_HUB = new Budget("docker.io", 600, Duration.ofHours(1));
  /** Any other registry: one check a second. */
  public static final int DEFAULT_PER_HOUR = 3600;

  public Budget {
    Objects.requireNonNull(registry, "registry");
    if (requests < 1) {
      throw new IllegalArgumentException("a budget allows at least 1 request, got " + requests + " for " + registry);
    }
    if (period == null || period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("a budget's period must be positive, got " + period + " for " + registry);
    }
  }

  /** The default budget of a registry. */
  public static Budget defaultFor(String registry) {
    return isDockerHub(registry) ? DOCKER_HUB : new Budget(registry, DEFAULT_PER_HOUR, Duration.ofHours(1));
  }

  /** The time between two checks at the budget's rate. */
  public Duration spacing() {
    return period.dividedBy(requests);
  }

  /** Checks that may go out at once. */
  public int burst() {
    return Math.max(1, requests / 60);
  }

  static boolean isDockerHub(String registry) {
    return switch (registry) {
      case "docker.io", "index.docker.io", "registry-1.docker.io" -> true;
      default -> false;
    };
  }
}

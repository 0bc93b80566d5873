package dev.holdfast.oci.copy;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * Bounds the blob transfers in flight per source and per destination. Source permits are always
 * taken before destination permits, and they live in separate maps, so two copies in opposite
 * directions between the same registries cannot deadlock.
 */
final class Limits {
  private final int perSource;
  private final int perDestination;
  private final Map<String, Semaphore> sources = new ConcurrentHashMap<>();
  private final Map<String, Semaphore> destinations = new ConcurrentHashMap<>();

  Limits(int perSource, int perDestination) {
    if (perSource < 1 || perDestination < 1) {
      throw new IllegalArgumentException("concurrency limits must be at least 1, got source " + perSource
          + ", destination " + perDestination);
    }
    this.perSource = perSource;
    this.perDestination = perDestination;
  }

  <T> T transfer(String sourceKey, String destinationKey, Supplier<T> work) {
    Semaphore source = sources.computeIfAbsent(sourceKey, k -> new Semaphore(perSource, true));
    Semaphore destination = destinations.computeIfAbsent(destinationKey, k -> new Semaphore(perDestination, true));
    source.acquireUninterruptibly();
    try {
      destination.acquireUninterruptibly();
      try {
        return work.get();
      } finally {
        destination.release();
      }
    } finally {
      source.release();
    }
  }
}

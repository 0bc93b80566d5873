package dev.holdfast.oci.registry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * At most {@code limit} requests in flight per registry. A request holds its permit until its
 * response body is closed, so an open blob stream counts. A thread that already holds a permit
 * for the registry (say, it streams a blob from it) gets further ones without waiting, so copying
 * within one registry cannot deadlock on its own permits.
 */
final class ConcurrencyLimiter {

  /** A held permit; {@link #release()} is idempotent. */
  interface Permit extends AutoCloseable {
    void release();

    @Override
    default void close() {
      release();
    }
  }

  private final int limit;
  private final Map<String, Semaphore> semaphores = new ConcurrentHashMap<>();
  private final Map<String, Map<Thread, AtomicInteger>> holders = new ConcurrentHashMap<>();

  ConcurrencyLimiter(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("the per-registry concurrency limit must be >= 1, got " + limit);
    }
    this.limit = limit;
  }

  Permit acquire(String registry) throws InterruptedException {
    Thread owner = Thread.currentThread();
    Map<Thread, AtomicInteger> owners = holders.computeIfAbsent(registry, r -> new ConcurrentHashMap<>());
    AtomicInteger held = owners.get(owner);
    boolean nested = held != null && held.get() > 0;
    if (!nested) {
      semaphores.computeIfAbsent(registry, r -> new Semaphore(limit, true)).acquire();
    }
    owners.computeIfAbsent(owner, t -> new AtomicInteger()).incrementAndGet();
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        AtomicInteger count = owners.get(owner);
        if (count != null && count.decrementAndGet() <= 0) {
          owners.remove(owner, count);
        }
        if (!nested) {
          semaphores.get(registry).release();
        }
      }
    };
  }

  /** Permits currently free for a registry (for tests). */
  int available(String registry) {
    Semaphore semaphore = semaphores.get(registry);
    return semaphore == null ? limit : semaphore.availablePermits();
  }
}

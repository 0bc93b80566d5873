package dev.holdfast.oci.copy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Bounds the blob transfers in flight per source and per destination. Source permits are always
 * taken before destination permits, and they live in separate maps, so two copies in opposite
 * directions between the same registries cannot deadlock.
 *
 * <p>A freed permit goes to the transfer that the most other images are waiting for, and among
 * equals to the one that came first. A sync of images built on one base layer would otherwise queue
 * that layer behind every image's own blobs: no image could be complete, and tagged, before nearly
 * the end of the run, and an interrupted sync would leave none.
 */
final class Limits {
  private final int perSource;
  private final int perDestination;
  private final Map<String, Slots> sources = new ConcurrentHashMap<>();
  private final Map<String, Slots> destinations = new ConcurrentHashMap<>();

  Limits(int perSource, int perDestination) {
    if (perSource < 1 || perDestination < 1) {
      throw new IllegalArgumentException("concurrency limits must be at least 1, got source " + perSource
          + ", destination " + perDestination);
    }
    this.perSource = perSource;
    this.perDestination = perDestination;
  }

  /**
   * Runs {@code work} holding a permit of the source and one of the destination.
   *
   * @param waiting how many other images wait for this transfer now; asked again whenever a permit
   *     frees, so images that start waiting after the transfer queued count too
   */
  <T> T transfer(String sourceKey, String destinationKey, IntSupplier waiting, Supplier<T> work) {
    Slots source = sources.computeIfAbsent(sourceKey, k -> new Slots(perSource));
    Slots destination = destinations.computeIfAbsent(destinationKey, k -> new Slots(perDestination));
    source.acquire(waiting);
    try {
      destination.acquire(waiting);
      try {
        return work.get();
      } finally {
        destination.release();
      }
    } finally {
      source.release();
    }
  }

  /** Transfers waiting for a permit of this destination now (for tests). */
  int queuedFor(String destinationKey) {
    Slots slots = destinations.get(destinationKey);
    return slots == null ? 0 : slots.queued();
  }

  /**
   * Permits handed to the most urgent waiter. A virtual thread that waits here unmounts from its
   * carrier (a {@link ReentrantLock} condition, no monitor).
   */
  private static final class Slots {
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Waiter> queue = new ArrayList<>();
    private int free;

    Slots(int permits) {
      this.free = permits;
    }

    private static final class Waiter {
      final IntSupplier waiting;
      final Condition granted;
      boolean done;

      Waiter(IntSupplier waiting, Condition granted) {
        this.waiting = waiting;
        this.granted = granted;
      }
    }

    void acquire(IntSupplier waiting) {
      lock.lock();
      try {
        if (free > 0) {
          free--; // a permit is only free while nobody waits: release() hands it over directly
          return;
        }
        Waiter me = new Waiter(waiting, lock.newCondition());
        queue.add(me);
        while (!me.done) {
          me.granted.awaitUninterruptibly();
        }
      } finally {
        lock.unlock();
      }
    }

    void release() {
      lock.lock();
      try {
        if (queue.isEmpty()) {
          free++;
          return;
        }
        int next = 0; // the queue is in arrival order, so ties go to the earliest
        int most = queue.get(0).waiting.getAsInt();
        for (int i = 1; i < queue.size(); i++) {
          int waiting = queue.get(i).waiting.getAsInt();
          if (waiting > most) {
            next = i;
            most = waiting;
          }
        }
        Waiter waiter = queue.remove(next);
        waiter.done = true;
        waiter.granted.signal();
      } finally {
        lock.unlock();
      }
    }

    int queued() {
      lock.lock();
      try {
        return queue.size();
      } finally {
        lock.unlock();
      }
    }
  }
}

package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class LimitsTest {

  @Test
  void noMoreTransfersPerDestinationThanTheLimit() throws Exception {
    Limits limits = new Limits(8, 2);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    CountDownLatch allStarted = new CountDownLatch(1);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String source = "src" + (i % 4);
        futures.add(executor.submit(() -> limits.transfer(source, "dst", () -> 0, () -> {
          most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          try {
            allStarted.await(20, TimeUnit.MILLISECONDS); // hold the permit a moment
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          inFlight.decrementAndGet();
          return null;
        })));
      }
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    assertThat(most.get()).isBetween(1, 2);
  }

  @Test
  void oppositeDirectionsBetweenTwoRegistriesDoNotDeadlock() throws Exception {
    Limits limits = new Limits(1, 1);
    CountDownLatch bothInside = new CountDownLatch(2);
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      // A->B holds source A and destination B; B->A holds source B and destination A: no shared permit.
      Future<?> ab = executor.submit(() -> limits.transfer("A", "B", () -> 0, () -> await(bothInside)));
      Future<?> ba = executor.submit(() -> limits.transfer("B", "A", () -> 0, () -> await(bothInside)));
      ab.get(5, TimeUnit.SECONDS);
      ba.get(5, TimeUnit.SECONDS);
    }
    assertThat(bothInside.getCount()).isZero();
  }

  private static Object await(CountDownLatch latch) {
    latch.countDown();
    try {
      assertThat(latch.await(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return null;
  }

  @Test
  void aFreedPermitGoesToTheTransferMostImagesWaitForThenToTheEarliest() throws Exception {
    Limits limits = new Limits(8, 1);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    List<String> order = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger waitingForShared = new AtomicInteger();
    AtomicInteger waitingForOther = new AtomicInteger();
    try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      futures.add(executor.submit(() -> limits.transfer("src", "dst", () -> 0, () -> {
        holding.countDown();
        awaitQuietly(release); // holds the destination's only permit until the others queued
        return null;
      })));
      awaitQuietly(holding);
      // They queue one after the other, so their arrival order is known.
      String[] names = {"first", "other", "second", "shared", "third"};
      IntSupplier[] waiting = {() -> 0, waitingForOther::get, () -> 0, waitingForShared::get, () -> 0};
      for (int i = 0; i < names.length; i++) {
        String name = names[i];
        IntSupplier count = waiting[i];
        futures.add(executor.submit(() -> limits.transfer("src", "dst", count, () -> order.add(name))));
        int queued = i + 1;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> limits.queuedFor("dst") == queued);
      }
      // Images start waiting after the transfers queued: counted when a permit frees.
      waitingForShared.set(3);
      waitingForOther.set(1);
      release.countDown();
      for (Future<?> f : futures) {
        f.get(10, TimeUnit.SECONDS);
      }
    }
    // In arrival order (a fair semaphore) it would be first, other, second, shared, third.
    assertThat(order).containsExactly("shared", "other", "first", "second", "third");
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void limitsBelowOneAreRefused() {
    assertThatThrownBy(() -> new Limits(0, 1)).hasMessageContaining("at least 1");
  }
}

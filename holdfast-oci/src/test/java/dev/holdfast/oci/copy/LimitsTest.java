package dev.holdfast.oci.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
        futures.add(executor.submit(() -> limits.transfer(source, "dst", () -> {
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
      Future<?> ab = executor.submit(() -> limits.transfer("A", "B", () -> await(bothInside)));
      Future<?> ba = executor.submit(() -> limits.transfer("B", "A", () -> await(bothInside)));
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
  void limitsBelowOneAreRefused() {
    assertThatThrownBy(() -> new Limits(0, 1)).hasMessageContaining("at least 1");
  }
}

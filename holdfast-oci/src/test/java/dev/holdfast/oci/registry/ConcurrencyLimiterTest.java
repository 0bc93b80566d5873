package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ConcurrencyLimiterTest {

  @Test
  void limitsPermitsPerRegistryAndReleasesOnce() throws Exception {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(2);
    ConcurrencyLimiter.Permit first = limiter.acquire("a");
    assertThat(limiter.available("a")).isEqualTo(1);
    assertThat(limiter.available("b")).isEqualTo(2);

    AtomicBoolean secondThreadGotOne = new AtomicBoolean();
    ConcurrencyLimiter.Permit[] others = new ConcurrencyLimiter.Permit[2];
    // fresh threads: the exemption is per thread, and pool threads would carry their permits along
    java.util.concurrent.Executor freshThread = task -> new Thread(task).start();
    CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
      try {
        others[0] = limiter.acquire("a");
        others[1] = limiter.acquire("a"); // another thread: nested, so no wait
        secondThreadGotOne.set(true);
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, freshThread);
    other.get();
    assertThat(secondThreadGotOne).isTrue();
    assertThat(limiter.available("a")).isZero();

    CompletableFuture<ConcurrencyLimiter.Permit> third = CompletableFuture.supplyAsync(() -> {
      try {
        return limiter.acquire("a");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    }, freshThread);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> !third.isDone());
    first.release();
    first.release(); // idempotent
    await().atMost(Duration.ofSeconds(5)).until(third::isDone);
    assertThat(limiter.available("a")).isZero();
    others[1].release();
    assertThat(limiter.available("a")).isZero(); // the nested permit held none
    others[0].release();
    third.get().release();
    assertThat(limiter.available("a")).isEqualTo(2);
  }

  @Test
  void aThreadHoldingAPermitIsNotBlockedByItsOwnStream() throws Exception {
    ConcurrencyLimiter limiter = new ConcurrencyLimiter(1);
    ConcurrencyLimiter.Permit stream = limiter.acquire("r");
    ConcurrencyLimiter.Permit upload = limiter.acquire("r"); // would deadlock without the exemption
    upload.release();
    stream.release();
    assertThat(limiter.available("r")).isEqualTo(1);
  }
}

package dev.holdfast.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Invalid images per policy: recorded per workload, cleared by an empty text, listed sorted. */
class InvalidImagesTest {
  private static final String WEB = "shop/Deployment/web";
  private static final String API = "shop/Deployment/api";

  // --- set reports whether anything changed ---

  @Test
  void recordingChangingAndClearingReportChanges() {
    InvalidImages invalid = new InvalidImages();

    assertThat(invalid.set("p", WEB, "containers/web: \"NGINX\": upper case")).as("new").isTrue();
    assertThat(invalid.set("p", WEB, "containers/web: \"NGINX\": upper case")).as("same again").isFalse();
    assertThat(invalid.set("p", WEB, "containers/web: \"Nginx\": upper case")).as("changed").isTrue();
    assertThat(invalid.set("p", WEB, "")).as("cleared").isTrue();
    assertThat(invalid.set("p", WEB, "")).as("cleared again").isFalse();
    assertThat(invalid.of("p")).isEmpty();
  }

  @Test
  void clearingAWorkloadThatWasNeverRecordedIsNoChange() {
    InvalidImages invalid = new InvalidImages();

    assertThat(invalid.set("p", WEB, "")).isFalse();
    assertThat(invalid.of("p")).isEmpty();
  }

  // --- listing ---

  @Test
  void theListIsSortedByWorkloadAndNamesIt() {
    InvalidImages invalid = new InvalidImages();
    invalid.set("p", WEB, "containers/web: bad");
    invalid.set("p", API, "containers/api: worse");
    invalid.set("p", "batch/CronJob/nightly", "containers/job: odd");

    assertThat(invalid.of("p")).containsExactly("batch/CronJob/nightly: containers/job: odd",
        "shop/Deployment/api: containers/api: worse", "shop/Deployment/web: containers/web: bad");
  }

  @Test
  void policiesAreKeptApart() {
    InvalidImages invalid = new InvalidImages();
    invalid.set("a", WEB, "one");
    invalid.set("b", WEB, "two");
    invalid.set("a", WEB, "");

    assertThat(invalid.of("a")).isEmpty();
    assertThat(invalid.of("b")).containsExactly(WEB + ": two");
    assertThat(invalid.of("unknown")).isEmpty();
  }

  @Test
  void theListIsASnapshot() {
    InvalidImages invalid = new InvalidImages();
    invalid.set("p", WEB, "bad");
    List<String> before = invalid.of("p");

    invalid.set("p", API, "worse");

    assertThat(before).containsExactly(WEB + ": bad");
    assertThat(invalid.of("p")).hasSize(2);
  }

  // --- concurrent reconciles ---

  @Test
  void concurrentWorkloadsAreAllRecorded() throws Exception {
    InvalidImages invalid = new InvalidImages();
    AtomicInteger changes = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int i = 0; i < 200; i++) {
        String workload = "ns/Pod/p%03d".formatted(i);
        pool.submit(() -> {
          if (invalid.set("p", workload, "bad")) {
            changes.incrementAndGet();
          }
        });
      }
    } finally {
      pool.shutdown();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(invalid.of("p")).hasSize(200).isSorted();
    assertThat(changes).hasValue(200);
  }

  @Test
  void pruneForgetsWorkloadsThatNoLongerExist() {
    InvalidImages invalid = new InvalidImages();
    invalid.set("p", "ns/Deployment/gone", "containers/x: \"A:1\": bad");
    invalid.set("p", "ns/Deployment/here", "containers/x: \"B:1\": bad");

    invalid.prune("p", workload -> workload.endsWith("/here"));

    assertThat(invalid.of("p")).containsExactly("ns/Deployment/here: containers/x: \"B:1\": bad");
  }
}

package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.holdfast.oci.reference.ImageReference;
import dev.holdfast.oci.testing.RegistryExtension;
import dev.holdfast.oci.testing.Skopeo;
import dev.holdfast.oci.testing.SyntheticImage;
import dev.holdfast.oci.testing.WrittenImage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry's {@code Retry-After} (after 429, or 503) holds the whole registry, not only the call
 * that was refused: the client's other calls wait what remains of it, as do other clients sharing
 * its {@link RetryAfterHolds}; a wait beyond the client's limit fails at once without sending; the
 * HTTP-date form counts from the clock; and a waiting call can be interrupted. The waits are
 * recorded by the sleeper, not slept (but the last test's).
 */
class RetryAfterHoldsIT {
  @RegisterExtension static final RegistryExtension registry = RegistryExtension.plain();
  @TempDir static Path work;
  static FaultProxy proxy;
  static WrittenImage image;

  final List<Duration> sleeps = new CopyOnWriteArrayList<>();
  ImageReference ref;

  @BeforeAll
  static void seed() {
    image = SyntheticImage.builder().seed(31).layers(1).layerSize(5_000).platforms("linux/amd64").build()
        .writeTo(work.resolve("layout"), "held");
    Skopeo.create(work.resolve("skopeo")).push(image, registry.image("held/app:v1"));
    proxy = new FaultProxy(registry.baseUri());
  }

  @AfterAll
  static void stop() {
    proxy.close();
  }

  @BeforeEach
  void reset() {
    proxy.reset();
    sleeps.clear();
    ref = ImageReference.parse(proxy.hostPort() + "/held/app:v1");
  }

  private static RegistryClient client(RetryAfterHolds holds, RetryPolicy.Sleeper sleeper) {
    return RegistryClient.builder().retryAfterHolds(holds).sleeper(sleeper)
        .retryPolicy(new RetryPolicy(4, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60)))
        .build();
  }

  @Test
  void theRefusedCallWaitsOnceAndTheClientsNextCallWaitsWhatRemains() {
    try (RegistryClient client = client(RetryAfterHolds.create(), sleeps::add)) {
      client.headManifest(ref); // scheme decided
      proxy.seen.clear();
      proxy.reject(1, 429, "30");
      assertThat(client.getManifest(ref).digest().toString()).isEqualTo(image.digest());
      assertThat(sleeps).containsExactly(Duration.ofSeconds(30));

      // the sleeper only records, so for the clock the 30 s are not over: the next call waits the rest
      assertThat(client.headManifest(ref)).isPresent();
      assertThat(sleeps).hasSize(2);
      assertThat(sleeps.get(1)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(proxy.seen).hasSize(3);
    }
  }

  @Test
  void aServiceUnavailableWithRetryAfterHoldsTheRegistryToo() {
    try (RegistryClient client = client(RetryAfterHolds.create(), sleeps::add)) {
      client.headManifest(ref);
      proxy.reject(1, 503, "20");
      assertThat(client.headManifest(ref)).isPresent();
      assertThat(client.headManifest(ref)).isPresent();
      assertThat(sleeps).hasSize(2);
      assertThat(sleeps.get(0)).isEqualTo(Duration.ofSeconds(20));
      assertThat(sleeps.get(1)).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(20));
    }
  }

  @Test
  void theHttpDateFormIsAWaitUntilThatInstant() {
    try (RegistryClient client = client(RetryAfterHolds.create(), sleeps::add)) {
      client.headManifest(ref);
      Instant until = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(11);
      proxy.reject(1, 429, DateTimeFormatter.RFC_1123_DATE_TIME.format(until.atOffset(ZoneOffset.UTC)));
      Instant before = Instant.now();
      assertThat(client.headManifest(ref)).isPresent();
      assertThat(sleeps).hasSize(1);
      assertThat(sleeps.get(0)).isPositive().isLessThanOrEqualTo(Duration.between(before, until));
    }
  }

  @Test
  void clientsSharingHoldsKeepToEachOthersWaitsAndOthersDoNot() {
    RetryAfterHolds shared = RetryAfterHolds.create();
    List<Duration> secondSleeps = new CopyOnWriteArrayList<>();
    List<Duration> ownSleeps = new CopyOnWriteArrayList<>();
    try (RegistryClient first = client(shared, sleeps::add);
        RegistryClient second = client(shared, secondSleeps::add);
        RegistryClient own = client(RetryAfterHolds.create(), ownSleeps::add)) {
      first.headManifest(ref);
      proxy.reject(1, 429, "40");
      assertThat(first.headManifest(ref)).isPresent();
      assertThat(sleeps).containsExactly(Duration.ofSeconds(40));

      assertThat(second.headManifest(ref)).isPresent();
      assertThat(secondSleeps).isNotEmpty()
          .allSatisfy(d -> assertThat(d).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(40)));
      assertThat(own.headManifest(ref)).isPresent();
      assertThat(ownSleeps).isEmpty();
    }
  }

  @Test
  void aWaitBeyondTheLimitFailsEveryCallAtOnceWithoutSendingIt() {
    try (RegistryClient client = client(RetryAfterHolds.create(), sleeps::add)) {
      client.headManifest(ref);
      proxy.reject(1, 429, "3600");
      assertThatThrownBy(() -> client.headManifest(ref)).isInstanceOf(TooManyRequestsException.class);
      proxy.seen.clear();
      assertThatThrownBy(() -> client.getManifest(ref))
          .isInstanceOfSatisfying(TooManyRequestsException.class, e -> {
            assertThat(e.retryAfter()).hasValueSatisfying(d -> assertThat(d)
                .isGreaterThan(Duration.ofMinutes(59)).isLessThanOrEqualTo(Duration.ofHours(1)));
            assertThat(e.getMessage()).contains("asked to wait until").contains(proxy.hostPort());
          });
      assertThat(proxy.seen).as("nothing was sent").isEmpty();
      assertThat(sleeps).isEmpty();
    }
  }

  @Test
  void aCallWaitingForTheRegistryCanBeInterrupted() throws Exception {
    RetryAfterHolds shared = RetryAfterHolds.create();
    try (RegistryClient refused = RegistryClient.builder().retryAfterHolds(shared).retryPolicy(RetryPolicy.none())
            .build();
        RegistryClient waiting = client(shared, RetryPolicy.Sleeper.system())) {
      refused.headManifest(ref);
      waiting.headManifest(ref);
      proxy.reject(1, 429, "50");
      assertThatThrownBy(() -> refused.headManifest(ref)).isInstanceOf(TooManyRequestsException.class);
      proxy.seen.clear();
      CompletableFuture<Object> call = new CompletableFuture<>();
      Thread thread = Thread.ofPlatform().start(() -> {
        try {
          call.complete(waiting.headManifest(ref));
        } catch (RuntimeException e) {
          call.completeExceptionally(e);
        }
      });
      org.awaitility.Awaitility.await("the call waits").atMost(Duration.ofSeconds(30))
          .until(() -> thread.getState() == Thread.State.TIMED_WAITING);
      thread.interrupt();
      assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(RegistryUnavailableException.class).hasMessageContaining("interrupted");
      assertThat(proxy.seen).as("nothing was sent").isEmpty();
    }
  }
}

package dev.holdfast.oci.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StreamPublisherTest {

  /** Collects everything, asking for one chunk at a time as the HTTP client does. */
  private static final class Collector implements Flow.Subscriber<ByteBuffer> {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final List<Integer> chunkSizes = new ArrayList<>();
    Flow.Subscription subscription;
    boolean completed;
    Throwable error;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(1);
    }

    @Override
    public void onNext(ByteBuffer item) {
      chunkSizes.add(item.remaining());
      byte[] chunk = new byte[item.remaining()];
      item.get(chunk);
      bytes.writeBytes(chunk);
      subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
      error = throwable;
    }

    @Override
    public void onComplete() {
      completed = true;
    }
  }

  @ParameterizedTest(name = "{0} bytes")
  @ValueSource(ints = {0, 1, StreamPublisher.CHUNK_SIZE - 1, StreamPublisher.CHUNK_SIZE,
      StreamPublisher.CHUNK_SIZE + 1, 3 * StreamPublisher.CHUNK_SIZE + 12345})
  void publishesTheWholeStreamInLargeChunks(int size) {
    byte[] content = new byte[size];
    new Random(size).nextBytes(content);
    Collector collector = new Collector();
    new StreamPublisher(new ByteArrayInputStream(content)).subscribe(collector);
    assertThat(collector.completed).isTrue();
    assertThat(collector.error).isNull();
    assertThat(collector.bytes.toByteArray()).isEqualTo(content);
    assertThat(collector.chunkSizes).allMatch(n -> n > 0 && n <= StreamPublisher.CHUNK_SIZE);
    assertThat(collector.chunkSizes.size()).isEqualTo((size + StreamPublisher.CHUNK_SIZE - 1) / StreamPublisher.CHUNK_SIZE);
  }

  @Test
  void readErrorsReachTheSubscriber() {
    InputStream failing = new InputStream() {
      @Override
      public int read() throws IOException {
        throw new IOException("disk on fire");
      }
    };
    Collector collector = new Collector();
    new StreamPublisher(failing).subscribe(collector);
    assertThat(collector.error).hasMessage("disk on fire");
    assertThat(collector.completed).isFalse();
  }

  @Test
  void aSecondSubscriberIsRefused() {
    StreamPublisher publisher = new StreamPublisher(new ByteArrayInputStream(new byte[10]));
    publisher.subscribe(new Collector());
    Collector second = new Collector();
    publisher.subscribe(second);
    assertThat(second.error).isInstanceOf(IllegalStateException.class);
  }
}

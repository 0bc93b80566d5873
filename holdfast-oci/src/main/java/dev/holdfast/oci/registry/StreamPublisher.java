package dev.holdfast.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes an {@link InputStream} as a request body in large chunks, reading only as fast as the
 * HTTP client asks: an upload of any size holds a few chunks in memory. (The JDK's {@code
 * BodyPublishers.ofInputStream} reads 16 KiB at a time; fewer, larger reads cost less CPU.)
 * One subscriber only: a stream cannot be read twice.
 */
final class StreamPublisher implements Flow.Publisher<ByteBuffer> {

  static final int CHUNK_SIZE = 256 * 1024;

  private final InputStream in;
  private final AtomicBoolean subscribed = new AtomicBoolean();

  StreamPublisher(InputStream in) {
    this.in = in;
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
    if (!subscribed.compareAndSet(false, true)) {
      subscriber.onSubscribe(new Flow.Subscription() {
        @Override
        public void request(long n) {}

        @Override
        public void cancel() {}
      });
      subscriber.onError(new IllegalStateException("a streamed request body can be sent only once"));
      return;
    }
    subscriber.onSubscribe(new StreamSubscription(subscriber));
  }

  private final class StreamSubscription implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean done;

    StreamSubscription(Flow.Subscriber<? super ByteBuffer> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (done) {
        return;
      }
      if (n <= 0) {
        done = true;
        subscriber.onError(new IllegalArgumentException("non-positive request: " + n));
        return;
      }
      demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      drain();
    }

    @Override
    public void cancel() {
      done = true;
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return; // the thread already draining will see the new demand
      }
      do {
        while (!done && demand.get() > 0) {
          byte[] chunk = new byte[CHUNK_SIZE];
          int n;
          try {
            n = in.readNBytes(chunk, 0, chunk.length);
          } catch (IOException | RuntimeException e) {
            done = true;
            subscriber.onError(e);
            return;
          }
          if (n == 0) {
            done = true;
            subscriber.onComplete();
            return;
          }
          demand.decrementAndGet();
          subscriber.onNext(ByteBuffer.wrap(chunk, 0, n));
          if (n < chunk.length) {
            done = true;
            subscriber.onComplete();
            return;
          }
        }
      } while (wip.decrementAndGet() != 0);
    }
  }
}

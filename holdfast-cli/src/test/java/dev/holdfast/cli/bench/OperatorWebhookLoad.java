package dev.holdfast.cli.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Benchmark driver, not a test ({@link Scale} starts it in a JVM of its own): AdmissionReviews at a
 * fixed rate against the running operator's own webhook, the URL and CA it registered in its
 * MutatingWebhookConfiguration, while the scale run is under way. Open-loop, as WebhookLoad: request
 * {@code i} is due at {@code start + i / rate} and its latency runs from that due time to the answer's
 * last byte, over N kept-alive TLS connections (the API server's Go client pools them so). Each review
 * is of a Pod in one of the scale namespaces with CONTAINERS of the scale images; an answer is right
 * when it is a 200 with the review's uid and {@code allowed: true} (with a JSON patch once the image's
 * copy is Ready, without one before); anything else, or an answer later than the webhook's 2 s
 * timeout, is an error.
 *
 * <p>Arguments: URL CA_PEM_FILE IMAGES_FILE (one reference a line) NAMESPACES RATE SECONDS WARMUP
 * CONNECTIONS CONTAINERS.
 */
public final class OperatorWebhookLoad {
  private static final long TIMEOUT_NANOS = 2_000_000_000L;

  private OperatorWebhookLoad() {}

  public static void main(String[] args) throws Exception {
    URI url = URI.create(args[0]);
    SSLContext tls = trusting(Files.readAllBytes(Path.of(args[1])));
    List<String> images = Files.readAllLines(Path.of(args[2]));
    int namespaces = Integer.parseInt(args[3]);
    int rate = Integer.parseInt(args[4]);
    int seconds = Integer.parseInt(args[5]);
    int warmup = Integer.parseInt(args[6]);
    int connections = Integer.parseInt(args[7]);
    int containers = Integer.parseInt(args[8]);
    List<byte[][]> templates = templates(images, namespaces, containers, 512);
    System.out.printf(Locale.ROOT, "operator webhook load: %s, %d/s for %d s after %d s of warm-up, %d kept-alive"
        + " TLS connections, %d containers per Pod of %d images%n", url, rate, seconds, warmup, connections, containers,
        images.size());
    if (warmup > 0) {
      load(tls, url, templates, rate, rate * warmup, connections, "warmup");
    }
    long wall = System.nanoTime();
    int count = rate * seconds;
    Result result = load(tls, url, templates, rate, count, connections, "bench");
    wall = System.nanoTime() - wall;
    long[] ok = Arrays.stream(result.latencies).filter(l -> l >= 0).sorted().toArray();
    System.out.printf(Locale.ROOT, "reviews: %d sent over %.1f s (%.0f/s), %d answered in time (%d with a patch,"
        + " %d allowed unchanged), %d errors %s%n", count, wall / 1e9, count / (wall / 1e9), ok.length,
        result.patched.sum(), ok.length - result.patched.sum(), result.errors.sum(), result.errorKinds);
    if (ok.length > 0) {
      System.out.printf(Locale.ROOT, "latency from due time to answer: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms,"
          + " p99.9 %.3f ms, max %.3f ms%n", at(ok, 0.5) / 1e6, at(ok, 0.9) / 1e6, at(ok, 0.99) / 1e6,
          at(ok, 0.999) / 1e6, ok[ok.length - 1] / 1e6);
      // the errors counted as the slowest answers: the p99 a caller sees
      long[] all = Arrays.stream(result.latencies).map(l -> l < 0 ? Long.MAX_VALUE : l).sorted().toArray();
      System.out.printf(Locale.ROOT, "p99 with the errors counted as slowest: %s%n",
          at(all, 0.99) == Long.MAX_VALUE ? "an error" : String.format(Locale.ROOT, "%.3f ms", at(all, 0.99) / 1e6));
    }
    boolean met = ok.length > 0 && at(ok, 0.99) <= 2_000_000L && result.errors.sum() == 0;
    System.out.println("goal p99 <= 2 ms with 0 errors: " + (met ? "met" : "NOT met"));
    System.exit(0);
  }

  record Result(long[] latencies, LongAdder errors, LongAdder patched, Map<String, Integer> errorKinds) {
    void error(int index, String kind) {
      latencies[index] = -1;
      errors.increment();
      errorKinds.merge(kind, 1, Integer::sum);
    }
  }

  static Result load(SSLContext tls, URI url, List<byte[][]> templates, int rate, int count, int connections,
      String phase) throws InterruptedException {
    Result result = new Result(new long[count], new LongAdder(), new LongAdder(), new ConcurrentHashMap<>());
    Arrays.fill(result.latencies, -1);
    long period = 1_000_000_000L / rate;
    AtomicLong next = new AtomicLong();
    CountDownLatch done = new CountDownLatch(connections);
    long start = System.nanoTime() + 50_000_000L;
    for (int w = 0; w < connections; w++) {
      Thread.ofPlatform().name("load-" + w).start(() -> {
        Connection connection = new Connection(tls, url);
        try {
          for (long i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
            long due = start + i * period;
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
              LockSupport.parkNanos(wait);
            }
            String uid = phase + "-" + i;
            byte[][] template = templates.get((int) (i % templates.size()));
            try {
              byte[] answer = connection.post(body(template, uid));
              long latency = System.nanoTime() - due;
              String text = new String(answer, StandardCharsets.UTF_8);
              if (connection.status != 200) {
                result.error((int) i, "status " + connection.status);
              } else if (!text.contains("\"uid\":\"" + uid + "\"")) {
                result.error((int) i, "wrong uid");
              } else if (!text.contains("\"allowed\":true")) {
                result.error((int) i, "not allowed");
              } else if (latency > TIMEOUT_NANOS) {
                result.error((int) i, "over the webhook's 2 s timeout");
              } else {
                result.latencies[(int) i] = latency;
                if (text.contains("\"patchType\":\"JSONPatch\"")) {
                  result.patched.increment();
                }
              }
            } catch (IOException | RuntimeException e) {
              result.error((int) i, e.getClass().getSimpleName());
              connection.close();
            }
          }
        } finally {
          connection.close();
          done.countDown();
        }
      });
    }
    done.await();
    return result;
  }

  private static byte[] body(byte[][] template, String uid) {
    byte[] id = uid.getBytes(StandardCharsets.US_ASCII);
    byte[] body = new byte[template[0].length + id.length + template[1].length];
    System.arraycopy(template[0], 0, body, 0, template[0].length);
    System.arraycopy(id, 0, body, template[0].length, id.length);
    System.arraycopy(template[1], 0, body, template[0].length + id.length, template[1].length);
    return body;
  }

  /** Reviews of bare Pods in the scale namespaces, each around its uid: {prefix, suffix}. */
  static List<byte[][]> templates(List<String> images, int namespaces, int containers, int count) {
    Random random = new Random(25);
    List<byte[][]> templates = new ArrayList<>();
    for (int t = 0; t < count; t++) {
      String namespace = String.format(Locale.ROOT, "scale-%03d", t % namespaces);
      StringBuilder list = new StringBuilder();
      for (int c = 0; c < containers; c++) {
        list.append(c > 0 ? "," : "").append("""
            {"name":"c%d","image":"%s","resources":{},"terminationMessagePath":"/dev/termination-log",\
            "terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}"""
            .formatted(c, images.get(random.nextInt(images.size()))));
      }
      String review = """
          {"kind":"AdmissionReview","apiVersion":"admission.k8s.io/v1","request":{"uid":"UID",\
          "kind":{"group":"","version":"v1","kind":"Pod"},"resource":{"group":"","version":"v1","resource":"pods"},\
          "requestKind":{"group":"","version":"v1","kind":"Pod"},\
          "requestResource":{"group":"","version":"v1","resource":"pods"},"name":"load-%1$d","namespace":"%2$s",\
          "operation":"CREATE","userInfo":{"username":"bench","groups":["system:authenticated"]},\
          "object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"load-%1$d","namespace":"%2$s",\
          "labels":{"app":"load-%1$d"}},"spec":{"containers":[%3$s],"restartPolicy":"Always",\
          "serviceAccountName":"default","schedulerName":"default-scheduler"},"status":{}},"oldObject":null,\
          "dryRun":false,"options":{"kind":"CreateOptions","apiVersion":"meta.k8s.io/v1"}}}"""
          .formatted(t, namespace, list);
      int at = review.indexOf("UID");
      templates.add(new byte[][] {review.substring(0, at).getBytes(StandardCharsets.UTF_8),
          review.substring(at + 3).getBytes(StandardCharsets.UTF_8)});
    }
    return templates;
  }

  private static long at(long[] sorted, double share) {
    return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(share * sorted.length) - 1))];
  }

  private static SSLContext trusting(byte[] caPem) throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    int n = 0;
    for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(caPem))) {
      store.setCertificateEntry("ca-" + n++, certificate);
    }
    TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  /** One kept-alive TLS connection speaking HTTP/1.1. */
  static final class Connection {
    private final SSLContext tls;
    private final URI url;
    private SSLSocket socket;
    private OutputStream out;
    private InputStream in;
    int status;

    Connection(SSLContext tls, URI url) {
      this.tls = tls;
      this.url = url;
    }

    byte[] post(byte[] body) throws IOException {
      if (socket == null) {
        socket = (SSLSocket) tls.getSocketFactory().createSocket(url.getHost(), url.getPort());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
      }
      out.write(("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + url.getPort()
          + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length
          + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String line = line();
      if (line == null) {
        throw new IOException("connection closed");
      }
      status = Integer.parseInt(line.split(" ")[1]);
      long length = -1;
      boolean close = false;
      for (String header = line(); header != null && !header.isEmpty(); header = line()) {
        String lower = header.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          close = true;
        }
      }
      byte[] answer = length > 0 ? in.readNBytes((int) length) : new byte[0];
      if (close) {
        close();
      }
      return answer;
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c >= 0; c = in.read()) {
        if (c == '\n') {
          int end = line.length();
          return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
        }
        line.append((char) c);
      }
      return line.isEmpty() ? null : line.toString();
    }

    void close() {
      if (socket != null) {
        try {
          socket.close();
        } catch (IOException e) {
          // closing anyway
        }
        socket = null;
      }
    }
  }
}

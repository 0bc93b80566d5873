package dev.holdfast.oci.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP proxy on loopback in front of a registry that records every connection it accepts with
 * the first line the client sent on it (the request line of the connection's first request), can
 * close all connections (as a server dropping idle keep-alive connections does), and can stall
 * answers after a number of bytes (to test read timeouts).
 */
final class CountingTcpProxy implements AutoCloseable {

  /** An accepted connection and the request line its client sent first. */
  record Accepted(String firstLine) {}

  final List<Accepted> accepted = new CopyOnWriteArrayList<>();
  /** Forward at most this many bytes of each new connection's answers, then stall; -1: never. */
  volatile long stallAfter = -1;

  private final ServerSocket server;
  private final int upstreamPort;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  CountingTcpProxy(int upstreamPort) throws IOException {
    this.upstreamPort = upstreamPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::acceptLoop);
  }

  String hostPort() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Accepted connections whose first request line starts with {@code prefix}. */
  long acceptedStartingWith(String prefix) {
    return accepted.stream().filter(a -> a.firstLine().startsWith(prefix)).count();
  }

  /** Closes every connection open now, both sides. */
  void closeAll() {
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }
    open.clear();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
        open.add(client);
        open.add(upstream);
        long stall = stallAfter;
        Thread.ofVirtual().start(() -> pumpRequests(client, upstream));
        Thread.ofVirtual().start(() -> pump(upstream, client, stall));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pumpRequests(Socket client, Socket upstream) {
    try (client; upstream) {
      InputStream in = client.getInputStream();
      OutputStream out = upstream.getOutputStream();
      byte[] buffer = new byte[64 * 1024];
      StringBuilder firstLine = new StringBuilder();
      boolean recorded = false;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        for (int i = 0; i < n && !recorded; i++) {
          if (buffer[i] == '\r' || buffer[i] == '\n') {
            accepted.add(new Accepted(firstLine.toString()));
            recorded = true;
          } else {
            firstLine.append(new String(buffer, i, 1, StandardCharsets.ISO_8859_1));
          }
        }
        out.write(buffer, 0, n);
      }
    } catch (IOException ignored) {
      // one side closed: both are closed on the way out
    }
  }

  private void pump(Socket from, Socket to, long stall) {
    try (from; to) {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      byte[] buffer = new byte[64 * 1024];
      long forwarded = 0;
      int n;
      while ((n = in.read(buffer)) >= 0) {
        if (stall >= 0 && forwarded + n > stall) {
          out.write(buffer, 0, (int) (stall - forwarded));
          out.flush();
          closed.await(); // hold the connection open, silent, until the proxy closes
          return;
        }
        out.write(buffer, 0, n);
        forwarded += n;
      }
    } catch (IOException ignored) {
      // one side closed
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed.countDown();
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    closeAll();
  }
}

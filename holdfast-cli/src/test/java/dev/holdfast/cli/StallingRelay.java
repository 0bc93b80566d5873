package dev.holdfast.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on loopback to a real registry that passes everything the client sends, and the
 * first {@code limit} bytes of the answers on each connection; then it holds the connection open
 * and passes nothing more. A transfer through it stops half-way and stays there, until {@link
 * #release()}: connections opened after it pass everything.
 */
final class StallingRelay implements AutoCloseable {

  private final ServerSocket server;
  private final int target;
  private volatile long limit;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final AtomicInteger stalled = new AtomicInteger();

  StallingRelay(int targetPort, long limit) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = targetPort;
    this.limit = limit;
    Thread.ofVirtual().name("relay-accept").start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(upstream);
        Thread.ofVirtual().start(() -> pipe(client, upstream, Long.MAX_VALUE));
        long answers = limit;
        Thread.ofVirtual().start(() -> pipe(upstream, client, answers));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** How many connections have stopped at the limit so far. */
  int stalled() {
    return stalled.get();
  }

  /** Connections opened from now on pass everything; those that stalled stay stalled. */
  void release() {
    limit = Long.MAX_VALUE;
  }

  private void pipe(Socket from, Socket to, long limit) {
    byte[] buffer = new byte[16 * 1024];
    long passed = 0;
    try (InputStream in = from.getInputStream()) {
      OutputStream out = to.getOutputStream();
      int n;
      while (passed < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - passed))) > 0) {
        out.write(buffer, 0, n);
        out.flush();
        passed += n;
      }
      if (passed >= limit) {
        stalled.incrementAndGet();
        in.transferTo(OutputStream.nullOutputStream()); // hold the connection; drop the rest
      }
    } catch (IOException e) {
      // a side closed: the relay of this connection ends
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (Socket socket : sockets) {
      socket.close();
    }
  }
}

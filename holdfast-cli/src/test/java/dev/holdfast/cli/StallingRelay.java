package dev.holdfast.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback to a real registry that passes everything the client sends, and the
 * first {@code limit} bytes of the answers on each connection; then it holds the connection open
 * and passes nothing more. A transfer through it stops half-way and stays there.
 */
final class StallingRelay implements AutoCloseable {

  private final ServerSocket server;
  private final int target;
  private final long limit;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

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
        Thread.ofVirtual().start(() -> pipe(upstream, client, limit));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private static void pipe(Socket from, Socket to, long limit) {
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

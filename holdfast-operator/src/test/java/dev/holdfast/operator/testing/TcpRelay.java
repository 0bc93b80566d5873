package dev.holdfast.operator.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback to a port (the API server's, so TLS passes through it untouched) that a
 * test can {@link #cut()}: every open connection is closed and new ones are refused, as when a
 * network link fails, until {@link #restore()} listens again on the same port.
 */
public final class TcpRelay implements AutoCloseable {
  private final int target;
  private final int port;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private volatile ServerSocket server;

  /** Starts relaying from a free loopback port to {@code targetPort}. */
  public TcpRelay(int targetPort) {
    this.target = targetPort;
    this.server = listen(0);
    this.port = server.getLocalPort();
    accept(server);
  }

  /** The relay's port. */
  public int port() {
    return port;
  }

  /** Closes every connection and stops listening: clients are refused until {@link #restore()}. */
  public synchronized void cut() {
    try {
      server.close();
      for (Socket socket : sockets) {
        socket.close();
      }
      sockets.clear();
    } catch (IOException e) {
      throw new UncheckedIOException("cut the relay on port " + port, e);
    }
  }

  /** Listens again on the same port. */
  public synchronized void restore() {
    server = listen(port);
    accept(server);
  }

  private static ServerSocket listen(int port) {
    try {
      ServerSocket socket = new ServerSocket();
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
      return socket;
    } catch (IOException e) {
      throw new UncheckedIOException("listen on 127.0.0.1:" + port, e);
    }
  }

  private void accept(ServerSocket listening) {
    Thread.ofVirtual().name("relay-accept-" + port).start(() -> {
      while (!listening.isClosed()) {
        Socket client;
        try {
          client = listening.accept();
        } catch (IOException e) {
          continue; // closed by cut()
        }
        try {
          Socket upstream = new Socket(InetAddress.getLoopbackAddress(), target);
          sockets.add(client);
          sockets.add(upstream);
          if (listening.isClosed()) { // cut() ran meanwhile
            close(client);
            close(upstream);
            continue;
          }
          Thread.ofVirtual().start(() -> pipe(client, upstream));
          Thread.ofVirtual().start(() -> pipe(upstream, client));
        } catch (IOException e) {
          close(client); // the target refused: so does the relay
        }
      }
    });
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // a side closed
    } finally {
      close(from);
      close(to);
      sockets.remove(from);
      sockets.remove(to);
    }
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    cut();
  }
}

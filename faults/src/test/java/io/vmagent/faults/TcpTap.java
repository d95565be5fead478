package io.vmagent.faults;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder on loopback that records every connection an agent opens and whether the backend
 * behind it accepted it. It only observes (the bytes pass through untouched, TLS end to end): it
 * exists because the backend cannot tell which agent's connection attempts it refused while down.
 */
final class TcpTap implements AutoCloseable {
  /** One connection attempt: when, and whether the backend could be reached. */
  record Attempt(long atMillis, boolean reachedBackend) {}

  private final ServerSocket server;
  private final int backendPort;
  private final List<Attempt> attempts = new CopyOnWriteArrayList<>();
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final ExecutorService threads;
  private volatile boolean closed;

  TcpTap(String name, int backendPort) throws IOException {
    this.backendPort = backendPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "tap-" + name + "-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    threads.execute(this::acceptLoop);
  }

  int port() {
    return server.getLocalPort();
  }

  List<Attempt> attempts() {
    return new ArrayList<>(attempts);
  }

  /** Cuts every open connection, as a dying backend does. */
  void cutAll() {
    for (Socket socket : open) {
      closeQuietly(socket);
    }
    open.clear();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      threads.execute(() -> forward(client));
    }
  }

  private void forward(Socket client) {
    Socket upstream = new Socket();
    try {
      upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), backendPort), 2_000);
    } catch (IOException refused) {
      attempts.add(new Attempt(System.currentTimeMillis(), false));
      try {
        client.setSoLinger(true, 0); // a reset, as from a closed port
      } catch (IOException ignored) {
        // the socket is being thrown away either way
      }
      closeQuietly(client);
      closeQuietly(upstream);
      return;
    }
    attempts.add(new Attempt(System.currentTimeMillis(), true));
    open.add(client);
    open.add(upstream);
    threads.execute(() -> pump(upstream, client));
    pump(client, upstream);
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side went away: close both
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    cutAll();
    io.vmagent.testing.Shutdown.now(threads, java.time.Duration.ofSeconds(5));
  }
}

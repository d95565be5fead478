package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.Limits;
import io.vmagent.protocol.ProtocolPaths;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the backend admits connections: past its rate of new ones a second, an address past its share
 * is refused at once (a storm of TLS handshakes cannot take every core, and a client from elsewhere
 * is not stuck behind it), and a connection that brings no request is closed after the
 * first-request timeout while one that brought a request is kept.
 */
class ConnectionAdmissionTest {
  @TempDir Path dir;
  private RunningBackend backend;

  @AfterEach
  void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
  }

  private void start(int newConnectionsPerSecond) throws Exception {
    backend =
        VmBackend.builder()
            .dataDir(dir.resolve("data"))
            .listen("127.0.0.1", 0)
            .limits(Limits.defaults().withNewConnectionsPerSecond(newConnectionsPerSecond))
            .build()
            .start();
  }

  @Test
  void pastTheRateAFloodingAddressIsRefusedAtOnceWhileAnotherAddressStillGetsIn() throws Exception {
    start(10); // ten a second from anyone, then five a second per address
    int clients = 60;
    ExecutorService threads = Executors.newFixedThreadPool(clients);
    try {
      long started = System.nanoTime();
      List<Future<Boolean>> flood = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        flood.add(threads.submit(() -> servedFrom("127.0.0.2")));
      }
      long served = 0;
      for (Future<Boolean> attempt : flood) {
        served += attempt.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      System.out.printf(
          "FIGURE a flood of %d connections from one address at 10/s: %d served in %.1f s%n",
          clients, served, seconds);
      // Both buckets full at the start, then refilled while the flood lasted: no more than that.
      assertThat(served).isBetween(1L, 15L + (long) Math.ceil(15 * seconds));
      assertThat(servedFrom("127.0.0.1")).as("a client from another address gets in").isTrue();
    } finally {
      threads.shutdownNow();
    }
  }

  /** Whether the backend closed this connection before {@code until} (System.nanoTime). */
  private static boolean closedByTheBackend(Socket plain, long until) {
    try {
      plain.setSoTimeout((int) Math.max(1, (until - System.nanoTime()) / 1_000_000));
      return plain.getInputStream().read() < 0;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  /** Whether a connection from this address got through its handshake and one request. */
  private boolean servedFrom(String address) {
    try (Socket plain = new Socket()) {
      plain.bind(new InetSocketAddress(address, 0));
      plain.connect(
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), backend.port()), 10_000);
      plain.setSoTimeout(10_000);
      try (SSLSocket tls =
          (SSLSocket)
              TlsTrust.trusting(backend.caCertificatePath())
                  .getSocketFactory()
                  .createSocket(plain, "127.0.0.1", backend.port(), true)) {
        return get(tls, ProtocolPaths.HEALTH).startsWith("HTTP/1.1 200");
      }
    } catch (Exception refused) {
      return false;
    }
  }

  @Test
  @org.junit.jupiter.api.Timeout(120) // a leak would leave every later connect waiting
  void refusedConnectionsDoNotUseUpTheConnectionCap() throws Exception {
    Limits d = Limits.defaults();
    backend =
        VmBackend.builder()
            .dataDir(dir.resolve("data"))
            .listen("127.0.0.1", 0)
            .limits(
                new Limits(
                    16, // the smallest cap: a leak of refused connections would reach it at once
                    10,
                    d.maxRequestsInFlight(),
                    d.maxWaitingPollsPerAgent(),
                    d.failedAuthBurstPerAddress(),
                    d.failedAuthPerAddressPerMinute(),
                    d.failedAuthBurstPerCredential(),
                    d.agentRequestsPerMinute(),
                    d.registrationsPerTokenPerMinute(),
                    d.metricsBytesPerAgentPerDay()))
            .build()
            .start();
    // Plain TCP connections, all opened before any is looked at: the kernel completes them, and
    // the backend closes each one past the rate as it accepts it, before any handshake, so the
    // flood outpaces the rate however slow this machine is.
    List<Socket> flood = new ArrayList<>();
    long refused = 0;
    try {
      for (int i = 0; i < 200; i++) {
        Socket plain = new Socket();
        flood.add(plain);
        plain.bind(new InetSocketAddress("127.0.0.2", 0));
        plain.connect(
            new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), backend.port()),
            10_000);
      }
      long until = System.nanoTime() + 5_000_000_000L;
      for (Socket plain : flood) {
        refused += closedByTheBackend(plain, until) ? 1 : 0;
      }
    } finally {
      for (Socket plain : flood) {
        plain.close();
      }
    }
    // More refusals than the cap has slots: had each refusal leaked a slot, the cap would be gone.
    // (How many more depends on how fast this machine makes TLS connections against the rate.)
    assertThat(refused).as("connections of the flood refused").isGreaterThanOrEqualTo(16);
    Thread.sleep(1_100); // the rate's bucket refills
    for (int i = 0; i < 10; i++) {
      assertThat(servedFrom("127.0.0.1")).as("connection %d after the flood", i).isTrue();
    }
  }

  @Test
  void aSilentConnectionIsClosedAfterTheFirstRequestTimeoutAndOneThatBroughtARequestIsKept()
      throws Exception {
    start(Limits.defaults().newConnectionsPerSecond());
    try (Socket silent = new Socket();
        SSLSocket talking = connect()) {
      silent.connect(
          new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), backend.port()), 10_000);
      OutputStream out = silent.getOutputStream();
      out.write(new byte[] {0x16, 0x03, 0x01}); // the start of a TLS record, then nothing
      out.flush();
      assertThat(get(talking, ProtocolPaths.HEALTH)).startsWith("HTTP/1.1 200");

      Thread.sleep(12_000); // longer than the first-request timeout (10 s)

      silent.setSoTimeout(5_000);
      boolean closed;
      try {
        // At most a TLS alert, then the end of the stream.
        silent.getInputStream().readAllBytes();
        closed = true;
      } catch (SocketTimeoutException stillOpen) {
        closed = false;
      } catch (IOException reset) {
        closed = true;
      }
      assertThat(closed).as("the silent connection was closed by the backend").isTrue();
      assertThat(get(talking, ProtocolPaths.HEALTH))
          .as("the same connection serves a second request")
          .startsWith("HTTP/1.1 200");
    }
  }

  private SSLSocket connect() throws Exception {
    Socket plain = new Socket();
    plain.connect(
        new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), backend.port()), 30_000);
    plain.setSoTimeout(30_000);
    return (SSLSocket)
        TlsTrust.trusting(backend.caCertificatePath())
            .getSocketFactory()
            .createSocket(plain, "127.0.0.1", backend.port(), true);
  }

  /** One keep-alive GET on the connection: the status line and headers of its answer. */
  private static String get(SSLSocket tls, String path) throws IOException {
    OutputStream out = tls.getOutputStream();
    out.write(
        ("GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    InputStream in = tls.getInputStream();
    String head = readHead(in);
    int length = 0;
    for (String line : head.lines().toList()) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring("content-length:".length()).strip());
      }
    }
    assertThat(in.readNBytes(length)).hasSize(length);
    return head;
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the answer's head: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.UTF_8);
  }
}

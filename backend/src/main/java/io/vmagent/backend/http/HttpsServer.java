package io.vmagent.backend.http;

import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.limits.NewConnections;
import io.vmagent.backend.tls.TlsMaterial;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Jetty server: one TLS connector (TLS 1.2/1.3, optional mutual TLS) and the API handler. */
public final class HttpsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpsServer.class);

  // Longer than the longest long poll (30 s), so an idle timeout never cuts one short.
  private static final long IDLE_TIMEOUT_MS = 75_000;
  // A client that has not completed a request by then is closed: TLS handshakes and a request's
  // head take milliseconds, and silent connections must not hold slots for the idle timeout.
  private static final Duration FIRST_REQUEST_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration AT_CAP_IDLE_TIMEOUT = Duration.ofSeconds(5);

  private final Server server;

  /** Connections the kernel may hold before the server accepts them. */
  static final int ACCEPT_QUEUE_SIZE = 1024;

  private final ServerConnector connector;

  private HttpsServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /** Starts serving on host:port (0 picks a free port). */
  public static HttpsServer start(
      String host,
      int port,
      TlsMaterial tls,
      ClientAuth clientAuth,
      int maxThreads,
      int maxConnections,
      int newConnectionsPerSecond,
      Handler handler)
      throws Exception {
    // Waiting long polls hold no thread (they are futures), so the pool serves only requests
    // that are being worked on.
    QueuedThreadPool threads = new QueuedThreadPool(maxThreads, 4);
    threads.setName("vm-backend-http");
    Server server = new Server(threads);
    server.setStopTimeout(5_000);

    SslContextFactory.Server ssl = new SslContextFactory.Server();
    ssl.setKeyStore(tls.keyStore());
    ssl.setKeyStorePassword(tls.keyStorePassword());
    ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
    if (clientAuth != ClientAuth.OFF) {
      // Always only *asked* for: TLS client authentication is set per listener, and a client
      // must reach registration before it has a certificate. REQUIRED is enforced per route.
      ssl.setTrustStore(tls.trustStore());
      ssl.setWantClientAuth(true);
    }

    HttpConfiguration http = new HttpConfiguration();
    http.setSendServerVersion(false);
    http.setSendDateHeader(true);
    // Each connection's parser would keep a cache of the header fields it saw (about 22 KiB of
    // char arrays at the default size): with thousands of connections, most of an attack's
    // memory. The protocol's requests carry a handful of short headers; parsing them afresh is
    // cheap.
    http.setHeaderCacheSize(0);
    SecureRequestCustomizer secure = new SecureRequestCustomizer();
    // Agents reach the backend by IP address as often as by name; SNI names are not required.
    secure.setSniHostCheck(false);
    http.addCustomizer(secure);

    ServerConnector connector =
        new ServerConnector(
            server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
    connector.setHost(host);
    connector.setPort(port);
    // The JDK's default backlog of 50 overflowed during registration storms of a few thousand
    // agents (TcpExtListenOverflows climbing), and every dropped SYN costs an agent a 1-7 s retry.
    connector.setAcceptQueueSize(ACCEPT_QUEUE_SIZE);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    // Each TLS connection holds buffers whatever it sends, and each handshake costs milliseconds of
    // CPU: both are bounded before a request is read.
    ConnectionAdmission admission =
        new ConnectionAdmission(
            connector,
            maxConnections,
            new NewConnections(newConnectionsPerSecond),
            FIRST_REQUEST_TIMEOUT,
            AT_CAP_IDLE_TIMEOUT);
    connector.addBean(admission);
    server.setHandler(admission.admitting(handler));
    server.setErrorHandler(new ProblemErrorHandler());
    server.start();
    return new HttpsServer(server, connector);
  }

  /** The bound port. */
  public int port() {
    return connector.getLocalPort();
  }

  @Override
  public void close() throws IOException {
    try {
      server.stop();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (TimeoutException e) {
      // Agents' long polls and held answers are cut at the end of the grace period: expected,
      // and everything else has stopped.
      LOG.info("the HTTPS server stopped after its grace period; requests still open were cut");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while the HTTPS server stopped");
    } catch (Exception e) {
      throw new IOException("the HTTPS server did not stop", e);
    }
  }
}

package io.vmagent.faults;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.backend.tls.IssuedCertificate;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A backend that answers every request with whatever the test sets: a stand-in for a compromised or
 * broken backend, which the real one cannot be made to be. Real HTTPS, so the agent's real
 * transport reads the answers.
 */
final class HostileBackend implements AutoCloseable {
  /** One scripted answer. */
  @SuppressWarnings("ArrayRecordComponent") // raw bytes sent as they are, never compared
  record Answer(int status, String contentType, byte[] body) {}

  private final HttpsServer server;
  private final ExecutorService threads;
  private final Path caPath;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile Answer answer =
      new Answer(200, "application/json", "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));

  HostileBackend(Path dir) throws Exception {
    DevCertificateAuthority ca = DevCertificateAuthority.loadOrCreate(dir.resolve("hostile-ca"));
    this.caPath = ca.certificatePath();
    IssuedCertificate cert = ca.issueServer("hostile", Set.of("127.0.0.1", "localhost"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] password = "hostile".toCharArray();
    keys.setKeyEntry("k", cert.key(), password, cert.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    AtomicInteger n = new AtomicInteger();
    threads =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "hostile-backend-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(threads);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            requests.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            Answer a = answer;
            if (a.contentType() != null) {
              exchange.getResponseHeaders().add("Content-Type", a.contentType());
            }
            exchange.sendResponseHeaders(a.status(), a.body().length == 0 ? -1 : a.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(a.body());
            }
          }
        });
    server.start();
  }

  URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  Path caPath() {
    return caPath;
  }

  void answer(int status, byte[] body) {
    this.answer = new Answer(status, "application/json", body);
  }

  int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    server.stop(0);
    io.vmagent.testing.Shutdown.now(threads, java.time.Duration.ofSeconds(5));
  }
}

package io.vmagent.faults;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.backend.tls.IssuedCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS reverse proxy in front of the real backend that injects faults the backend cannot be
 * made to produce on demand: error statuses (500, 503, 429 with Retry-After), answers slower than
 * the agent's timeout (after the backend has already applied the request), and hooks on answers (to
 * kill a backend instance the moment it has leased a command). It is a deliberate fake, used only
 * for fault injection; everything behind it is the real backend.
 */
final class FaultProxy implements AutoCloseable {
  /** What to do with one request. */
  sealed interface Action permits Forward, Fail, ForwardThenDelay, ForwardThenDrop {}

  /** Pass it through. */
  record Forward() implements Action {}

  /** Answer {@code status} without asking the backend. */
  record Fail(int status, Integer retryAfterSeconds) implements Action {}

  /** Let the backend apply it, then hold the answer for {@code delay} (longer than the timeout). */
  record ForwardThenDelay(Duration delay) implements Action {}

  /** Let the backend apply it, then cut the connection instead of answering. */
  record ForwardThenDrop() implements Action {}

  /** Chooses the action for a request: method, path without query, and the n-th such request. */
  @FunctionalInterface
  interface Rules {
    Action decide(String method, String path, int nth);
  }

  /** Sees each forwarded answer before the agent does; returns true to drop it (cut the line). */
  @FunctionalInterface
  interface AnswerHook {
    boolean seen(String method, String path, int status, byte[] body);
  }

  private final HttpsServer server;
  private final HttpClient upstreamClient;
  private final AtomicReference<URI> upstream;
  private final ExecutorService threads;
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong> injected = new ConcurrentHashMap<>();
  private volatile Rules rules = (m, p, n) -> new Forward();
  private volatile AnswerHook hook = (m, p, s, b) -> false;
  private final Path caPath;

  FaultProxy(Path dir, URI upstream, Path upstreamCa) throws Exception {
    DevCertificateAuthority ca = DevCertificateAuthority.loadOrCreate(dir.resolve("proxy-ca"));
    this.caPath = ca.certificatePath();
    IssuedCertificate cert = ca.issueServer("fault-proxy", Set.of("127.0.0.1", "localhost"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    char[] password = "proxy".toCharArray();
    keys.setKeyEntry("proxy", cert.key(), password, cert.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    this.upstream = new AtomicReference<>(upstream);
    this.upstreamClient =
        HttpClient.newBuilder()
            .sslContext(TlsTrust.trusting(upstreamCa))
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3))
            .build();
    AtomicInteger n = new AtomicInteger();
    this.threads =
        Executors.newFixedThreadPool(
            16,
            r -> {
              Thread t = new Thread(r, "fault-proxy-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    server.setExecutor(threads);
    server.createContext("/", this::handle);
    server.start();
  }

  URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The CA the agent must trust to talk to the proxy. */
  Path caPath() {
    return caPath;
  }

  void rules(Rules rules) {
    this.rules = rules;
  }

  void hook(AnswerHook hook) {
    this.hook = hook;
  }

  void upstream(URI url) {
    upstream.set(url);
  }

  /** How many faults of each kind were injected. */
  Map<String, Long> injected() {
    Map<String, Long> copy = new java.util.TreeMap<>();
    injected.forEach((k, v) -> copy.put(k, v.get()));
    return copy;
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      int nth =
          counts.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
      Action action = rules.decide(method, path, nth);
      if (action instanceof Fail fail) {
        count(fail.status() + " on " + kind(path));
        if (fail.retryAfterSeconds() != null) {
          exchange
              .getResponseHeaders()
              .add("Retry-After", String.valueOf(fail.retryAfterSeconds()));
        }
        exchange.getResponseHeaders().add("Content-Type", "application/problem+json");
        byte[] body =
            ("{\"type\":\"urn:vmagent:error:BACKEND_UNAVAILABLE\",\"title\":\"injected\",\"status\":"
                    + fail.status()
                    + ",\"code\":\""
                    + (fail.status() == 429 ? "RATE_LIMITED" : "BACKEND_UNAVAILABLE")
                    + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(fail.status(), body.length);
        exchange.getResponseBody().write(body);
        return;
      }
      HttpResponse<byte[]> answer = forward(exchange, method);
      boolean drop = hook.seen(method, path, answer.statusCode(), answer.body());
      if (drop) {
        count("answer dropped by a hook on " + kind(path));
        return;
      }
      if (action instanceof ForwardThenDelay delay) {
        count("slow answer on " + kind(path));
        Thread.sleep(delay.delay().toMillis());
      } else if (action instanceof ForwardThenDrop) {
        count("answer dropped on " + kind(path));
        return; // closing the exchange without a response cuts the connection
      }
      answer
          .headers()
          .firstValue("Content-Type")
          .ifPresent(v -> exchange.getResponseHeaders().add("Content-Type", v));
      exchange.sendResponseHeaders(
          answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(answer.body());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the agent gave up (timeout) or the backend is down: the connection is dropped, as a
      // failing load balancer would
      exchange.close();
    }
  }

  private HttpResponse<byte[]> forward(HttpExchange exchange, String method)
      throws IOException, InterruptedException {
    byte[] body = exchange.getRequestBody().readAllBytes();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(upstream.get().resolve(exchange.getRequestURI().toString()))
            .timeout(Duration.ofSeconds(40))
            .method(
                method,
                body.length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    for (String header : List.of("Authorization", "Content-Type", "Accept")) {
      String value = exchange.getRequestHeaders().getFirst(header);
      if (value != null) {
        request.header(header, value);
      }
    }
    return upstreamClient.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private void count(String what) {
    injected.computeIfAbsent(what, k -> new AtomicLong()).incrementAndGet();
  }

  static String kind(String path) {
    String[] parts = path.split("/", -1);
    return parts[parts.length - 1];
  }

  @Override
  public void close() {
    server.stop(0);
    io.vmagent.testing.Shutdown.now(threads, java.time.Duration.ofSeconds(5));
  }
}

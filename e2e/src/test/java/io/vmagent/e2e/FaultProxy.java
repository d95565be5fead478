package io.vmagent.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vmagent.agent.backend.TlsContexts;
import io.vmagent.agent.backend.TlsSettings;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS reverse proxy in front of the real backend that delays chosen requests, or refuses them
 * until the backend reports pending commands: faults the backend cannot produce on demand (answers
 * later than the agent's timeout, a result that never arrives, an outage of one endpoint that ends
 * exactly when a heartbeat can tell). Everything else passes through unchanged.
 */
final class FaultProxy implements AutoCloseable {
  private static final List<String> REQUEST_HEADERS =
      List.of("Authorization", "Content-Type", "Accept");
  private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "Retry-After");
  private static final Pattern PENDING = Pattern.compile("\"commands_pending\"\\s*:\\s*[1-9]");

  private final URI backend;
  private final HttpsServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final HttpClient client;
  private final Map<Pattern, Duration> delays = new ConcurrentHashMap<>();
  private final AtomicInteger refused = new AtomicInteger();
  private volatile Pattern refusing;

  FaultProxy(URI backend, Path backendCa, SSLContext serverTls) throws IOException {
    this.backend = backend;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .sslContext(
                TlsContexts.create(
                    new TlsSettings(
                        true, Optional.of(backendCa), Optional.empty(), Optional.empty())))
            .build();
    server =
        HttpsServer.create(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.setExecutor(executor);
    server.createContext("/", this::forward);
    server.start();
  }

  URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Requests whose path (with query) matches {@code regex} are answered {@code delay} late. */
  void delay(String regex, Duration delay) {
    delays.put(Pattern.compile(regex), delay);
  }

  /**
   * Requests whose path matches {@code regex} are answered 503 with a {@code Retry-After} of an
   * hour, at once, until a heartbeat's answer passing through reports pending commands; from that
   * answer on they pass again.
   */
  void refuseUntilCommandsPending(String regex) {
    refusing = Pattern.compile(regex);
  }

  /** How many requests were refused so far. */
  int refused() {
    return refused.get();
  }

  /** Passes everything through again. */
  void clear() {
    delays.clear();
  }

  private void forward(HttpExchange exchange) throws IOException {
    try {
      String path = exchange.getRequestURI().toString();
      byte[] body = exchange.getRequestBody().readAllBytes();
      Pattern refuse = refusing;
      if (refuse != null && refuse.matcher(path).find()) {
        refused.incrementAndGet();
        // Unavailable for longer than a request waits in place: the agent's loop backs off.
        exchange.getResponseHeaders().add("Retry-After", "3600");
        exchange.sendResponseHeaders(503, -1);
        return;
      }
      for (Map.Entry<Pattern, Duration> rule : delays.entrySet()) {
        if (rule.getKey().matcher(path).find()) {
          Thread.sleep(rule.getValue().toMillis());
        }
      }
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(backend + path))
              .timeout(Duration.ofSeconds(60))
              .method(
                  exchange.getRequestMethod(),
                  body.length == 0
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofByteArray(body));
      for (String name : REQUEST_HEADERS) {
        String value = exchange.getRequestHeaders().getFirst(name);
        if (value != null) {
          request.header(name, value);
        }
      }
      HttpResponse<byte[]> response =
          client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      for (String name : RESPONSE_HEADERS) {
        response
            .headers()
            .firstValue(name)
            .ifPresent(v -> exchange.getResponseHeaders().add(name, v));
      }
      byte[] answer = response.body();
      if (refusing != null
          && path.endsWith("/heartbeat")
          && PENDING.matcher(new String(answer, StandardCharsets.UTF_8)).find()) {
        refusing = null; // before the agent reads the answer that makes it poll
      }
      exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
      if (answer.length > 0) {
        exchange.getResponseBody().write(answer);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.sendResponseHeaders(502, -1);
    } catch (IOException e) {
      exchange.sendResponseHeaders(502, -1);
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

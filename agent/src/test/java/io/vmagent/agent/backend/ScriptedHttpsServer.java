package io.vmagent.agent.backend;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import javax.net.ssl.SSLContext;

/**
 * A real HTTPS server (the JDK's) whose answers a test scripts per path, to put the client in front
 * of faults the reference backend does not produce on demand (503, 429 with Retry-After, a 401 on a
 * valid token). The end-to-end tests run the agent against the real backend.
 */
final class ScriptedHttpsServer implements AutoCloseable {
  /** One answer. */
  record Reply(int status, String body, Map<String, String> headers) {
    static Reply json(int status, String body) {
      return new Reply(status, body, Map.of());
    }
  }

  /** One request as the server saw it. */
  record Seen(String method, String path, String authorization, String body) {}

  private final HttpsServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Map<String, Function<Seen, Reply>> routes = new ConcurrentHashMap<>();
  final List<Seen> seen = new CopyOnWriteArrayList<>();

  ScriptedHttpsServer(SSLContext context, boolean needClientAuth) throws IOException {
    server =
        HttpsServer.create(
            new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(context) {
          @Override
          public void configure(HttpsParameters params) {
            var parameters = context.getDefaultSSLParameters();
            parameters.setNeedClientAuth(needClientAuth);
            params.setSSLParameters(parameters);
          }
        });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
  }

  /** Answers requests whose path starts with {@code pathPrefix}. */
  void on(String pathPrefix, Function<Seen, Reply> reply) {
    routes.put(pathPrefix, reply);
  }

  URI url() {
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort());
  }

  long count(String pathPrefix) {
    return seen.stream().filter(s -> s.path().startsWith(pathPrefix)).count();
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Seen request =
        new Seen(
            exchange.getRequestMethod(),
            exchange.getRequestURI().toString(),
            exchange.getRequestHeaders().getFirst("Authorization"),
            body);
    seen.add(request);
    Reply reply =
        routes.entrySet().stream()
            .filter(e -> request.path().startsWith(e.getKey()))
            .max(Map.Entry.comparingByKey((a, b) -> a.length() - b.length()))
            .map(e -> e.getValue().apply(request))
            .orElse(
                Reply.json(
                    404,
                    "{\"type\":\"urn:vmagent:error:NOT_FOUND\",\"title\":\"x\",\"status\":404,\"code\":\"NOT_FOUND\"}"));
    byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
    reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(reply.status(), bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      exchange.getResponseBody().write(bytes);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

package io.vmagent.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.ProtocolPaths;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One backend instance as the simulated agents and operator see it: asynchronous JSON requests over
 * the shared HTTP client, each timed and recorded in the window it started in.
 */
final class BackendClient {
  private final HttpClient http;
  private final URI base;
  private final ObjectMapper json;
  private final Recorder recorder;
  private final AtomicInteger inFlight = new AtomicInteger();

  BackendClient(HttpClient http, URI base, ObjectMapper json, Recorder recorder) {
    this.http = http;
    this.base = base;
    this.json = json;
    this.recorder = recorder;
  }

  Recorder recorder() {
    return recorder;
  }

  URI base() {
    return base;
  }

  /** Requests in flight other than long-polls. */
  int inFlight() {
    return inFlight.get();
  }

  CompletableFuture<Reply> post(
      RequestType type, String path, String bearer, Object body, Duration timeout) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest.Builder request =
        builder(path, bearer, timeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes));
    return send(type, request.build());
  }

  CompletableFuture<Reply> get(RequestType type, String path, String bearer, Duration timeout) {
    return send(type, builder(path, bearer, timeout).GET().build());
  }

  /** A text answer outside the recorded figures (the backend's own metrics); empty unless 200. */
  CompletableFuture<String> text(String path, String bearer, Duration timeout) {
    HttpRequest request =
        builder(path, bearer, timeout).setHeader("Accept", "text/plain").GET().build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(response -> response.statusCode() == 200 ? response.body() : "");
  }

  private HttpRequest.Builder builder(String path, String bearer, Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(base.resolve(path))
            .timeout(timeout)
            .header("Accept", "application/json");
    if (bearer != null) {
      b.header(ProtocolPaths.AUTHORIZATION, "Bearer " + bearer);
    }
    return b;
  }

  private CompletableFuture<Reply> send(RequestType type, HttpRequest request) {
    WindowStats window = recorder.current();
    boolean counted = type != RequestType.POLL;
    if (counted) {
      inFlight.incrementAndGet();
    }
    long start = System.nanoTime();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
        .handle(
            (response, error) -> {
              long micros = (System.nanoTime() - start) / 1_000;
              if (counted) {
                inFlight.decrementAndGet();
              }
              if (error != null) {
                window.failure(type, describe(error));
                throw error instanceof CompletionException ce ? ce : new CompletionException(error);
              }
              Reply reply = new Reply(response.statusCode(), response.body());
              if (reply.ok()) {
                window.success(type, micros);
              } else {
                window.failure(type, "HTTP " + reply.status() + problemCode(reply));
              }
              return reply;
            });
  }

  private String problemCode(Reply reply) {
    try {
      JsonNode code = json.readTree(reply.body()).get("code");
      return code != null && code.isTextual() ? " " + code.asText() : "";
    } catch (java.io.IOException | RuntimeException e) {
      return " (no problem document)";
    }
  }

  static String describe(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof java.net.http.HttpConnectTimeoutException) {
      return "connect timeout";
    }
    if (cause instanceof HttpTimeoutException) {
      return "timeout";
    }
    if (cause instanceof ConnectException) {
      return "connect failed";
    }
    return cause.getClass().getSimpleName();
  }
}

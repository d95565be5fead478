package io.vmagent.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** A plain HTTPS client for sending the backend whatever bytes a test wants, broken on purpose. */
final class Api {
  static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  /** The status of an answer the backend gave by closing the connection on an oversized body. */
  static final int CLOSED = -2;

  /** Bodies above this are larger than any limit of the backend's (64 KiB, 1 MiB for batches). */
  static final int OVERSIZE = 64 * 1024;

  private final URI baseUrl;
  private final HttpClient http;

  Api(URI baseUrl, Path caPem) throws IOException {
    this.baseUrl = baseUrl;
    this.http =
        HttpClient.newBuilder()
            .sslContext(TlsTrust.trusting(caPem))
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** One answer of the backend. */
  record Answer(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    /** Whether this is an RFC 9457 problem document naming one of the protocol's error codes. */
    boolean isClearProblem() {
      if (contentType == null || !contentType.startsWith("application/problem+json")) {
        return false;
      }
      try {
        JsonNode node = JSON.readTree(body);
        return node.hasNonNull("code") && node.get("code").asText().matches("[A-Z_]+");
      } catch (IOException e) {
        return false;
      }
    }
  }

  Answer send(String method, String path, String token, String contentType, byte[] body) {
    HttpRequest.Builder request;
    try {
      request = HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(Duration.ofSeconds(40));
    } catch (IllegalArgumentException unusablePath) {
      // The client library refuses to send it at all; the backend never sees it.
      return new Answer(-1, null, unusablePath.getMessage());
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<String> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString());
      return new Answer(
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null),
          response.body());
    } catch (IOException e) {
      if (body != null && body.length > OVERSIZE) {
        // The backend answers an over-limit body with 413 and closes the connection before the
        // client has finished sending, so the client sees a broken pipe instead of the answer.
        return new Answer(CLOSED, null, e.toString());
      }
      throw new UncheckedIOException(method + " " + path + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  Answer get(String path, String token) {
    return send("GET", path, token, null, null);
  }

  Answer post(String path, String token, Object body) {
    try {
      return send("POST", path, token, "application/json", JSON.writeValueAsBytes(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

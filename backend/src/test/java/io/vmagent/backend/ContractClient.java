package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * An HTTPS client for tests that checks the real traffic against the OpenAPI document: every
 * response, and every request the test means to be valid. Violations are collected and asserted
 * empty at the end of each test.
 */
final class ContractClient {
  private static final OpenApiInteractionValidator VALIDATOR = validator();
  static final ObjectMapper JSON = ProtocolJson.tolerantMapper();
  static final ObjectMapper WRITER = ProtocolJson.strictMapper();

  private final URI baseUrl;
  private final HttpClient http;
  private final List<String> violations = new ArrayList<>();
  private int exchanges;

  ContractClient(URI baseUrl, SSLContext tls) {
    this.baseUrl = baseUrl;
    this.http =
        HttpClient.newBuilder()
            .sslContext(tls)
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  ContractClient(URI baseUrl, Path caPem) throws IOException {
    this(baseUrl, TlsTrust.trusting(caPem));
  }

  private static OpenApiInteractionValidator validator() {
    try (InputStream in = ProtocolPaths.class.getResourceAsStream(ProtocolPaths.OPENAPI_RESOURCE)) {
      String spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return OpenApiInteractionValidator.createForInlineApiSpecification(spec)
          // Credentials are the subject of the tests themselves (401/403 answers).
          .withLevelResolver(
              LevelResolver.create()
                  .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                  .build())
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One answer. */
  record Answer(int status, String contentType, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException("not JSON: " + body, e);
      }
    }

    <T> T as(Class<T> type) {
      assertThat(status).as("status of %s", body).isLessThan(300);
      try {
        return JSON.readValue(body, type);
      } catch (IOException e) {
        throw new UncheckedIOException("not a " + type.getSimpleName() + ": " + body, e);
      }
    }

    Problem problem() {
      assertThat(contentType).startsWith(Problem.MEDIA_TYPE);
      try {
        return JSON.readValue(body, Problem.class);
      } catch (IOException e) {
        throw new UncheckedIOException("not a problem document: " + body, e);
      }
    }
  }

  Answer get(String path, String token) {
    return send("GET", path, token, null, null, true);
  }

  Answer post(String path, String token, Object body) {
    if (body == null) {
      return send("POST", path, token, null, null, true);
    }
    try {
      return send("POST", path, token, "application/json", WRITER.writeValueAsString(body), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A request the test builds by hand, possibly broken on purpose; only the answer is checked. */
  Answer raw(String method, String path, String token, String contentType, String body) {
    return send(method, path, token, contentType, body, false);
  }

  /** Sends the exchange and records its contract violations. */
  Answer send(
      String method,
      String path,
      String token,
      String contentType,
      String body,
      boolean requestMeantValid) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUrl.resolve(path)).timeout(Duration.ofSeconds(45));
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
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String responseType = response.headers().firstValue("Content-Type").orElse(null);
    Answer answer = new Answer(response.statusCode(), responseType, response.body());
    check(method, path, token, contentType, body, requestMeantValid, answer);
    return answer;
  }

  private synchronized void check(
      String method,
      String path,
      String token,
      String contentType,
      String body,
      boolean requestMeantValid,
      Answer answer) {
    exchanges++;
    String[] pathAndQuery = path.split("\\?", 2);
    SimpleRequest.Builder request =
        new SimpleRequest.Builder(Request.Method.valueOf(method), pathAndQuery[0]);
    if (pathAndQuery.length == 2) {
      for (String pair : pathAndQuery[1].split("&", -1)) {
        String[] kv = pair.split("=", 2);
        request.withQueryParam(
            kv[0], URLDecoder.decode(kv.length > 1 ? kv[1] : "", StandardCharsets.UTF_8));
      }
    }
    if (token != null) {
      request.withHeader("Authorization", "Bearer " + token);
    }
    if (body != null && contentType != null) {
      request.withContentType(contentType).withBody(body);
    }
    SimpleResponse.Builder response =
        SimpleResponse.Builder.status(answer.status()).withBody(answer.body());
    Optional.ofNullable(answer.contentType()).ifPresent(response::withContentType);
    ValidationReport report =
        requestMeantValid
            ? VALIDATOR.validate(request.build(), response.build())
            : VALIDATOR.validateResponse(
                pathAndQuery[0], Request.Method.valueOf(method), response.build());
    for (ValidationReport.Message message : report.getMessages()) {
      if (message.getLevel() == ValidationReport.Level.ERROR) {
        violations.add(
            method + " " + path + " -> " + answer.status() + ": " + message.getMessage());
      }
    }
  }

  /** Every contract violation seen so far. */
  synchronized List<String> violations() {
    return List.copyOf(violations);
  }

  /** How many exchanges were checked. */
  synchronized int exchanges() {
    return exchanges;
  }
}

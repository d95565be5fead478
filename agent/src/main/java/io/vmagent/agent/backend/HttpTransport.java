package io.vmagent.agent.backend;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.retry.Backoff;
import io.vmagent.agent.retry.ErrorAnswer;
import io.vmagent.agent.retry.Verdict;
import io.vmagent.agent.util.AgentVersion;
import io.vmagent.agent.util.NamedThreads;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends JSON requests to the backend over the JDK's HTTP client with per-request timeouts and
 * Failsafe retries ({@link Backoff}, {@code Retry-After} honoured on 429 and 503; which answers are
 * retried is the {@link Verdict}'s call). Knows nothing about tokens: the caller passes the bearer
 * credential.
 */
public final class HttpTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpTransport.class);

  private final URI baseUrl;
  private final String userAgent = "vm-agent/" + AgentVersion.current();
  private final Duration timeout;
  private final Backoff backoff;
  private final ExecutorService executor;
  private volatile HttpClient client;
  private final ObjectMapper json = ProtocolJson.tolerantMapper();

  /**
   * @param baseUrl the backend's URL ({@code AGENT_BACKEND_URL})
   * @param ssl the TLS context ({@link TlsContexts#create})
   * @param timeout connect timeout and default per-request timeout ({@code AGENT_API_TIMEOUT})
   * @param backoff retry attempts and waits
   */
  public HttpTransport(URI baseUrl, SSLContext ssl, Duration timeout, Backoff backoff) {
    String text = baseUrl.toString();
    this.baseUrl = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
    this.timeout = timeout;
    this.backoff = backoff;
    this.executor = Executors.newCachedThreadPool(NamedThreads.factory("backend-http-", true));
    this.client = newClient(ssl);
  }

  /** The transport {@code config} describes ({@code AGENT_BACKEND_URL}, timeouts, retries). */
  public static HttpTransport of(AgentConfig config, TlsSettings tls) throws IOException {
    return new HttpTransport(
        config.backendUrl().orElseThrow(() -> new IOException("AGENT_BACKEND_URL is not set")),
        TlsContexts.create(tls),
        config.apiTimeout(),
        Backoff.of(config.retryAttempts(), config.retryBackoff()));
  }

  private HttpClient newClient(SSLContext ssl) {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout)
        .sslContext(ssl)
        .executor(executor)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * Uses {@code ssl} for every request from now on (a renewed client certificate). Requests in
   * flight finish on their connections; new requests open new ones, so no kept-alive connection
   * goes on presenting the old certificate past its end.
   */
  public void useTls(SSLContext ssl) {
    client = newClient(ssl);
  }

  /** The backend's URL. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The per-request timeout. */
  public Duration timeout() {
    return timeout;
  }

  /**
   * Sends one request, retried according to {@code mode}, and decodes a 2xx answer as {@code type}
   * ({@code Void} ignores the body).
   *
   * @param bearer the {@code Authorization: Bearer} credential, or null for none
   * @param requestTimeout how long one attempt may take, or null for the transport's timeout
   * @throws BackendHttpException the backend answered with an error status (after retries)
   * @throws IOException the backend could not be reached or did not answer in time
   */
  public <T> T send(
      String method,
      String path,
      Object body,
      String bearer,
      Class<T> type,
      RetryMode mode,
      Duration requestTimeout)
      throws IOException {
    HttpRequest request = build(method, path, body, bearer, requestTimeout);
    String what = method + " " + path.replaceFirst("\\?.*", "");
    HttpResponse<byte[]> response;
    try {
      response =
          Failsafe.with(policy(what, mode))
              .get(() -> client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
    } catch (FailsafeException e) {
      throw unwrap(what, e);
    }
    int status = response.statusCode();
    if (status < 200 || status >= 300) {
      throw httpError(what, response);
    }
    if (type == Void.class) {
      return null;
    }
    // An empty body or a JSON null where a document is due would surface later as a
    // NullPointerException in the caller's loop; it is the backend's error, reported here.
    T value = response.body().length == 0 ? null : json.readValue(response.body(), type);
    if (value == null) {
      throw new IOException(what + ": the backend answered HTTP " + status + " without a document");
    }
    return value;
  }

  /** How {@code what} is retried in place: {@code mode} and the {@link Verdict} decide. */
  private RetryPolicy<HttpResponse<byte[]>> policy(String what, RetryMode mode) {
    return RetryPolicy.<HttpResponse<byte[]>>builder()
        .withMaxAttempts(mode == RetryMode.ONCE ? 1 : backoff.attempts())
        .handleIf((response, failure) -> retryable(response, failure, mode))
        .withDelayFn(context -> delay(context.getLastResult(), context.getAttemptCount()))
        .onRetry(
            event ->
                log.debug(
                    "{} attempt {} failed ({}); retrying",
                    what,
                    event.getAttemptCount(),
                    event.getLastException() != null
                        ? event.getLastException().toString()
                        : "HTTP " + event.getLastResult().statusCode()))
        .build();
  }

  private HttpRequest build(
      String method, String path, Object body, String bearer, Duration requestTimeout)
      throws IOException {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(requestTimeout == null ? timeout : requestTimeout)
            .header("Accept", "application/json")
            .header("User-Agent", userAgent);
    if (bearer != null) {
      builder.header("Authorization", "Bearer " + bearer);
    }
    if (body != null) {
      builder
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
    } else {
      builder.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return builder.build();
  }

  private static boolean retryable(
      HttpResponse<byte[]> response, Throwable failure, RetryMode mode) {
    if (mode == RetryMode.ONCE) {
      return false;
    }
    if (failure != null) {
      if (failure instanceof SSLException) {
        return false; // a certificate problem does not heal by itself within one request
      }
      if (failure instanceof ConnectException || failure instanceof HttpConnectTimeoutException) {
        return true;
      }
      return mode == RetryMode.SAFE && failure instanceof IOException;
    }
    int status = response.statusCode();
    if (status < 400) {
      return false;
    }
    if (retryAfter(response)
        .filter(w -> w.compareTo(ErrorAnswer.MAX_RETRY_AFTER) > 0)
        .isPresent()) {
      // A quota that resets later (metrics per day, say): the caller pauses that long instead of
      // holding this request open.
      return false;
    }
    if (mode == RetryMode.NOT_SENT_ONLY) {
      return Verdict.notActedOn(status);
    }
    Verdict verdict = Verdict.of(status);
    return verdict == Verdict.RETRY || verdict == Verdict.RATE_LIMITED;
  }

  private Duration delay(HttpResponse<byte[]> last, int attempts) {
    Duration jittered = backoff.delay(attempts);
    if (last != null) {
      Optional<Duration> retryAfter = retryAfter(last);
      if (retryAfter.isPresent()) {
        Duration wait = retryAfter.get();
        return wait.compareTo(ErrorAnswer.MAX_RETRY_AFTER) > 0 ? ErrorAnswer.MAX_RETRY_AFTER : wait;
      }
    }
    return jittered;
  }

  /** The wait a {@code Retry-After} header asks for: delta-seconds or an HTTP date. */
  static Optional<Duration> retryAfter(HttpResponse<?> response) {
    if (!Verdict.notActedOn(response.statusCode())) {
      return Optional.empty();
    }
    Optional<String> header = response.headers().firstValue("Retry-After");
    if (header.isEmpty()) {
      return Optional.empty();
    }
    String value = header.get().strip();
    try {
      return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(value))));
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        // Measured from the answer's own Date, both on the backend's clock, so this host's clock
        // being off does not stretch or cut the wait.
        Instant from =
            response
                .headers()
                .firstValue("Date")
                .map(
                    date ->
                        ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant())
                .orElseGet(Instant::now);
        Duration wait = Duration.between(from, at);
        return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
      } catch (DateTimeParseException notDate) {
        log.debug("ignoring unparseable Retry-After header '{}'", value);
        return Optional.empty();
      }
    }
  }

  private BackendHttpException httpError(String what, HttpResponse<byte[]> response) {
    ErrorCode code = ErrorCode.INTERNAL;
    String detail = null;
    try {
      if (response.body().length > 0) {
        Problem problem = json.readValue(response.body(), Problem.class);
        code = problem.code() == null ? code : problem.code();
        detail = problem.detail();
      }
    } catch (IOException | RuntimeException notAProblem) {
      detail = "(the body is not a problem document)";
    }
    if (code == ErrorCode.INTERNAL && response.statusCode() == 401) {
      code = ErrorCode.UNAUTHORIZED;
    }
    return new BackendHttpException(
        what, response.statusCode(), code, detail, retryAfter(response).orElse(null));
  }

  private IOException unwrap(String what, FailsafeException e) {
    Throwable cause = e.getCause();
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      InterruptedIOException interrupted = new InterruptedIOException(what + " interrupted");
      interrupted.initCause(cause);
      return interrupted;
    }
    if (cause instanceof SSLException tls) {
      SSLHandshakeException described =
          new SSLHandshakeException(what + ": TLS handshake failed: " + TlsFailure.describe(tls));
      described.initCause(tls);
      return described;
    }
    if (cause instanceof HttpTimeoutException timeoutException) {
      HttpTimeoutException wrapped =
          new HttpTimeoutException(what + ": no answer within the timeout");
      wrapped.initCause(timeoutException);
      return wrapped;
    }
    if (cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException) {
      return new ConnectException(
          what
              + ": cannot connect to "
              + baseUrl
              + " ("
              + ConnectFailure.describe(cause, baseUrl)
              + ")");
    }
    if (cause instanceof IOException) {
      return new IOException(what + ": " + reason(cause), cause);
    }
    return new IOException(what + " failed: " + cause, cause);
  }

  private static String reason(Throwable cause) {
    Throwable root = cause;
    while (root.getMessage() == null && root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
        log.debug("backend HTTP threads still running after close");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

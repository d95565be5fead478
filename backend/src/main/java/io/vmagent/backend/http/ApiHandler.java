package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.limits.RefusalLog;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.metrics.BackendMetrics;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.store.StorageException;
import io.vmagent.backend.threads.Timers;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dispatches requests to the routes of {@link Routes} and turns every refusal or failure into an
 * RFC 9457 problem document.
 */
public final class ApiHandler extends Handler.Abstract {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  // The CPU and memory each route costs, measured where they are spent (the thread's CPU clock and
  // its allocation counter, both read without a safepoint).
  private static final com.sun.management.ThreadMXBean THREAD_COSTS =
      (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

  private final List<Route> routes;
  private final RequestValidator validator = new RequestValidator();
  private final ObjectMapper mapper = ProtocolJson.strictMapper();

  private static final java.util.concurrent.ScheduledExecutorService HOLDS =
      Timers.daemon("vm-backend-held-answers");

  private final Throttles throttles;
  private final Semaphore inFlight;
  private final int maxInFlight;
  private final RefusalLog refusals = new RefusalLog();
  private final BackendMetrics metrics;

  ApiHandler(
      List<Route> routes, Throttles throttles, int maxRequestsInFlight, BackendMetrics metrics) {
    super(InvocationType.BLOCKING);
    this.routes = List.copyOf(routes);
    this.metrics = metrics;
    this.throttles = throttles;
    this.maxInFlight = maxRequestsInFlight;
    this.inFlight = new Semaphore(maxRequestsInFlight);
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    long cpuStarted = THREAD_COSTS.getCurrentThreadCpuTime();
    long allocatedBefore = THREAD_COSTS.getCurrentThreadAllocatedBytes();
    long started = System.nanoTime();
    String method = request.getMethod();
    String path = request.getHttpURI().getDecodedPath();
    Match match = match(method, path);
    Call call =
        new Call(
            method,
            path,
            match.route() == null ? BackendMetrics.UNMATCHED : match.route().template,
            response,
            callback,
            started,
            request.getLength() != 0);
    if (!inFlight.tryAcquire()) {
      // Past the cap the answer is immediate and cheap, rather than a queue that grows with the
      // load until the heap is gone.
      ApiException busy =
          ApiException.busy(
              "the backend is working on its " + maxInFlight + " requests; retry shortly",
              Duration.ofSeconds(1));
      write(failure(busy, call.method(), call.path()), call);
      return true;
    }
    Reply reply;
    try {
      reply = dispatch(request, call.method(), call.path(), match);
    } catch (Exception e) {
      reply = failure(e, call.method(), call.path());
    } finally {
      // A waiting long poll holds no permit: it is not being worked on.
      inFlight.release();
    }
    answer(reply, call);
    metrics.handled(
        call.route(),
        call.method(),
        THREAD_COSTS.getCurrentThreadCpuTime() - cpuStarted,
        THREAD_COSTS.getCurrentThreadAllocatedBytes() - allocatedBefore);
    return true;
  }

  /** The request being answered, as far as writing its answer goes. */
  private record Call(
      String method,
      String path,
      String route,
      Response response,
      Callback callback,
      long started,
      boolean sentBody) {}

  /**
   * The route a request's method and path match, with its path parameters; no route (null) when
   * none does, {@code pathKnown} telling whether some route has the path with another method.
   */
  private record Match(Route route, Map<String, String> params, boolean pathKnown) {}

  private void answer(Reply reply, Call call) {
    if (reply.hold() != null) {
      // Held without a thread: the connection stays open (it counts against the connection cap)
      // and the client's next request waits for this answer. A flood's refusals arrive together;
      // up to half as long again, at random, keeps them from coming back as one wave that queues
      // ahead of every other agent's requests.
      long holdMillis = reply.hold().toMillis();
      long jitterMillis =
          java.util.concurrent.ThreadLocalRandom.current().nextLong(holdMillis / 2 + 1);
      var unused =
          HOLDS.schedule(
              () -> write(reply, call),
              holdMillis + jitterMillis,
              java.util.concurrent.TimeUnit.MILLISECONDS);
    } else if (reply.later() == null) {
      write(reply, call);
    } else {
      // A long poll: this thread returns to the pool; the answer is written when it is ready.
      var unused =
          reply
              .later()
              .whenComplete(
                  (answer, error) ->
                      write(
                          error == null
                              ? answer
                              : failure(unwrap(error), call.method(), call.path()),
                          call));
    }
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private static Reply failure(Throwable error, String method, String path) {
    if (error instanceof ApiException e) {
      return problem(e.code(), e.getMessage(), path, e);
    }
    if (error instanceof StorageException) {
      LOG.error("{} {} failed in the database", method, path, error);
      return problem(ErrorCode.BACKEND_UNAVAILABLE, "the database is unavailable", path, null);
    }
    if (error instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return problem(ErrorCode.BACKEND_UNAVAILABLE, "the backend is stopping", path, null);
    }
    LOG.error("{} {} failed", method, path, error);
    return problem(ErrorCode.INTERNAL, "unexpected error; see the backend log", path, null);
  }

  private void write(Reply reply, Call call) {
    String method = call.method();
    String path = call.path();
    Response response = call.response();
    byte[] body;
    String contentType = reply.body() instanceof Problem ? Problem.MEDIA_TYPE : "application/json";
    try {
      if (reply.body() instanceof Reply.Text text) {
        body = text.bytes();
        contentType = text.contentType();
      } else {
        body = mapper.writeValueAsBytes(reply.body());
      }
    } catch (Exception e) {
      LOG.error("cannot serialise the answer to {} {}", method, path, e);
      reply = problem(ErrorCode.INTERNAL, "unexpected error; see the backend log", path, null);
      body =
          ("{\"type\":\""
                  + Problem.TYPE_PREFIX
                  + "INTERNAL\",\"title\":\"internal\","
                  + "\"status\":500,\"code\":\"INTERNAL\"}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    response.setStatus(reply.status());
    if (call.sentBody() && reply.status() >= 400) {
      // A refusal can be written before the request's body has arrived (a remembered token is
      // refused in microseconds); Jetty then closes the connection after the answer, and a client
      // told nothing would send its next request into the closed connection.
      response.getHeaders().put(HttpHeader.CONNECTION, "close");
    }
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    if (reply.retryAfter() != null) {
      response
          .getHeaders()
          .put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, reply.retryAfter().toSeconds())));
    }
    // Counted before the answer leaves: a client that reads /metrics right after its answer must
    // find its request there.
    metrics.answered(call.route(), method, reply.status(), System.nanoTime() - call.started());
    response.write(true, ByteBuffer.wrap(body), call.callback());
    if (LOG.isDebugEnabled()) {
      LOG.debug(
          "{} {} -> {} in {} ms",
          method,
          path,
          reply.status(),
          (System.nanoTime() - call.started()) / 1_000_000);
    }
  }

  /**
   * Counts a refused credential against its source address and the credential itself, and logs it
   * (at most one line per address a minute, with the number of refusals since): never the secret.
   */
  private void countFailedAuthentication(ApiException e, Route route, Request request) {
    if (e.code() != ErrorCode.UNAUTHORIZED) {
      return;
    }
    String address = Request.getRemoteAddr(request);
    throttles.authenticationFailed(
        address, Throttles.credentialKey(request.getHeaders().get(HttpHeader.AUTHORIZATION)));
    refusals.refused(address, route.credential().label(), e.getMessage());
  }

  /**
   * Whether the request carries a secret that can be guessed: one of the route's kind (bootstrap,
   * refresh, operator), or a bearer token shaped like an operator or bootstrap token on any route.
   */
  private static boolean guessable(Route route, Request request) {
    if (route.credential().guessable) {
      return true;
    }
    String bearer = Secrets.bearer(request.getHeaders().get(HttpHeader.AUTHORIZATION)).orElse("");
    return bearer.startsWith(Secrets.OPERATOR_PREFIX)
        || bearer.startsWith(Secrets.BOOTSTRAP_PREFIX);
  }

  private Match match(String method, String path) {
    boolean pathKnown = false;
    for (Route route : routes) {
      Map<String, String> params = route.match(path);
      if (params == null) {
        continue;
      }
      pathKnown = true;
      if (route.method.equals(method)) {
        return new Match(route, params, true);
      }
    }
    return new Match(null, null, pathKnown);
  }

  private Reply dispatch(Request request, String method, String path, Match match)
      throws Exception {
    Route route = match.route();
    if (route == null) {
      throw ApiException.notFound(
          match.pathKnown() ? method + " is not allowed on " + path : "no endpoint at " + path);
    }
    if (guessable(route, request)) {
      Optional<Duration> blocked =
          throttles.authenticationBlocked(
              Request.getRemoteAddr(request),
              Throttles.credentialKey(request.getHeaders().get(HttpHeader.AUTHORIZATION)));
      if (blocked.isPresent()) {
        refusals.refused(
            Request.getRemoteAddr(request),
            route.credential().label(),
            "too many failed authentications");
        throw ApiException.rateLimited(
            "too many failed authentications from this address or with this credential; retry"
                + " after "
                + blocked.get().toSeconds()
                + " s",
            blocked.get());
      }
    }
    Exchange exchange =
        new Exchange(request, route, path, match.params(), query(request), validator, mapper);
    try {
      return route.answer(exchange);
    } catch (ApiException e) {
      countFailedAuthentication(e, route, request);
      throw e;
    }
  }

  private static Map<String, List<String>> query(Request request) {
    Fields fields = Request.extractQueryParameters(request);
    Map<String, List<String>> query = new LinkedHashMap<>();
    for (Fields.Field field : fields) {
      query.put(field.getName(), new ArrayList<>(field.getValues()));
    }
    return query;
  }

  private static Reply problem(ErrorCode code, String detail, String path, ApiException e) {
    return new Reply(
        code.httpStatus(),
        Problem.of(code, detail, path, e == null ? List.of() : e.violations()),
        null,
        e == null ? null : e.retryAfter(),
        e == null ? null : e.hold());
  }
}

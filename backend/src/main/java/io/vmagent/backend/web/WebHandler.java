package io.vmagent.backend.web;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.auth.PeerIdentity;
import io.vmagent.backend.limits.RefusalLog;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.service.Authenticator;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.ServletPathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.PathMappingsHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The web dashboard on the API's listener: its pages and files under {@value #ROOT}, the login that
 * turns the operator token into a session cookie, and the logout. It sees only its own paths (see
 * {@link #beside}); the API, which accepts the session in place of the operator token, never passes
 * through it.
 */
public final class WebHandler extends Handler.Abstract {
  /** Where the dashboard lives. */
  public static final String ROOT = "/ui/";

  /** The Content-Security-Policy of every dashboard answer: no inline script or style at all. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private static final String VENDOR = ROOT + "vendor/uplot/";

  private final Sessions sessions;
  private final Authenticator auth;
  private final Throttles throttles;
  private final Assets assets = new Assets();
  private final RefusalLog refusals = new RefusalLog();
  private final ObjectMapper mapper = ProtocolJson.strictMapper();

  /** The dashboard, with the sessions it makes and the operator check and limits of the API. */
  public WebHandler(Sessions sessions, Authenticator auth, Throttles throttles) {
    this.sessions = sessions;
    this.auth = auth;
    this.throttles = throttles;
  }

  /**
   * The server's handlers: {@code /}, {@code /ui} and everything under {@value #ROOT} to the
   * dashboard, every other path to {@code api} directly.
   */
  public static Handler beside(Handler api, WebHandler dashboard) {
    PathMappingsHandler paths = new PathMappingsHandler();
    // "" is the root path alone, "/ui/*" also matches "/ui", "/" is every other path.
    paths.addMapping(new ServletPathSpec(""), dashboard);
    paths.addMapping(new ServletPathSpec("/ui/*"), dashboard);
    paths.addMapping(new ServletPathSpec("/"), api);
    return paths;
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) throws Exception {
    String path = request.getHttpURI().getDecodedPath();
    secure(response);
    try {
      serve(request, response, callback, path);
    } catch (ApiException e) {
      problem(response, callback, path, e);
    }
    return true;
  }

  private void serve(Request request, Response response, Callback callback, String path)
      throws Exception {
    String method = request.getMethod();
    boolean read = method.equals("GET") || method.equals("HEAD");
    if (path.equals("/") || path.equals("/ui")) {
      requireRead(read, path);
      Response.sendRedirect(request, response, callback, 302, ROOT, false);
      return;
    }
    switch (path.substring(ROOT.length())) {
      case "login" -> {
        requirePost(method, path);
        login(request, response, callback);
      }
      case "logout" -> {
        requirePost(method, path);
        logout(request, response, callback);
      }
      case "session" -> {
        requireRead(read, path);
        Sessions.Session session =
            sessions
                .find(sessionCookie(request))
                .orElseThrow(() -> ApiException.unauthorized("no session; log in"));
        json(response, callback, 200, describe(session));
      }
      case "" -> {
        requireRead(read, path);
        file(response, callback, assets.own("index.html"), path);
      }
      default -> {
        requireRead(read, path);
        file(
            response,
            callback,
            path.startsWith(VENDOR)
                ? assets.uplot(path.substring(VENDOR.length()))
                : assets.own(path.substring(ROOT.length())),
            path);
      }
    }
  }

  /**
   * The operator token (a bearer token, as on the API) becomes a session. Failed attempts count
   * against the address and the token with the API's own limiter, so the login is no easier to
   * guess through than the API.
   */
  private void login(Request request, Response response, Callback callback) throws Exception {
    String address = Request.getRemoteAddr(request);
    String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
    String credential = Throttles.credentialKey(header);
    Optional<Duration> blocked = throttles.authenticationBlocked(address, credential);
    if (blocked.isPresent()) {
      refusals.refused(address, "dashboard login", "too many failed authentications");
      throw ApiException.rateLimited(
          "too many failed logins from this address or with this token; retry after "
              + blocked.get().toSeconds()
              + " s",
          blocked.get());
    }
    if (header == null || !auth.isOperator(header)) {
      throttles.authenticationFailed(address, credential);
      String why = header == null ? "no operator token was sent" : "the operator token is wrong";
      refusals.refused(address, "dashboard login", why);
      throw ApiException.unauthorized(why);
    }
    PeerIdentity peer = Peers.of(request);
    if (peer != null && peer.role() != PeerIdentity.Role.OPERATOR) {
      throw ApiException.forbidden("an agent's certificate cannot log in to the dashboard");
    }
    // A session acts as the operator on the API, so it demands what the API demands: with
    // --client-auth required, an operator certificate as well as the token.
    if (peer == null && auth.certificatesRequired()) {
      refusals.refused(address, "dashboard login", "no operator certificate");
      throw ApiException.forbidden(
          "this backend requires client certificates (--client-auth required): the browser must"
              + " present an operator certificate (vm-backend cert issue --operator NAME, imported"
              + " into the browser), or the backend must run with --client-auth optional");
    }
    auth.requireOperator(header, peer);
    Sessions.Created created = sessions.create();
    response
        .getHeaders()
        .put(HttpHeader.SET_COOKIE, cookieHeader(created.cookieValue(), Sessions.ABSOLUTE));
    json(response, callback, 200, describe(created.session()));
  }

  /** Ends the session; like every request that changes something, it needs the CSRF token. */
  private void logout(Request request, Response response, Callback callback) throws Exception {
    String value = sessionCookie(request);
    if (value == null) {
      throw ApiException.unauthorized("no session; log in");
    }
    sessions.admits(value, request.getMethod(), request.getHeaders().get(Sessions.CSRF_HEADER));
    sessions.end(value);
    response.getHeaders().put(HttpHeader.SET_COOKIE, cookieHeader("", Duration.ZERO));
    json(response, callback, 200, Map.of("logged_out", true));
  }

  private static Map<String, Object> describe(Sessions.Session session) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("csrf_token", session.csrfToken());
    body.put("expires_at", session.expiresAt().toString());
    body.put("idle_timeout_seconds", Sessions.IDLE.toSeconds());
    return body;
  }

  /** The session cookie: never readable by the page's script, sent only to this origin over TLS. */
  static String cookieHeader(String value, Duration maxAge) {
    // The value is base64url (or empty), so it needs no quoting.
    return Sessions.COOKIE
        + "="
        + value
        + "; Path=/; Max-Age="
        + maxAge.toSeconds()
        + "; Secure; HttpOnly; SameSite=Strict";
  }

  /** The value of the request's session cookie, or null when it sends none. */
  public static String sessionCookie(Request request) {
    for (HttpCookie cookie : Request.getCookies(request)) {
      if (cookie.getName().equals(Sessions.COOKIE)) {
        return cookie.getValue();
      }
    }
    return null;
  }

  private static void secure(Response response) {
    var headers = response.getHeaders();
    headers.put("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    headers.put("X-Content-Type-Options", "nosniff");
    headers.put("Referrer-Policy", "no-referrer");
    headers.put("X-Frame-Options", "DENY");
    headers.put("Cross-Origin-Opener-Policy", "same-origin");
    headers.put(HttpHeader.CACHE_CONTROL, "no-store");
  }

  private static void requireRead(boolean read, String path) {
    if (!read) {
      throw ApiException.notFound("only GET is allowed on " + path);
    }
  }

  private static void requirePost(String method, String path) {
    if (!method.equals("POST")) {
      throw ApiException.notFound(method + " is not allowed on " + path);
    }
  }

  private static void file(
      Response response, Callback callback, Optional<byte[]> file, String path) {
    byte[] bytes = file.orElseThrow(() -> ApiException.notFound("no dashboard file at " + path));
    response.setStatus(200);
    String name = path.endsWith("/") ? "index.html" : path;
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Assets.contentType(name));
    response.write(true, ByteBuffer.wrap(bytes), callback);
  }

  private void json(Response response, Callback callback, int status, Object body)
      throws Exception {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
    response.write(true, ByteBuffer.wrap(mapper.writeValueAsBytes(body)), callback);
  }

  private void problem(Response response, Callback callback, String path, ApiException e)
      throws Exception {
    ErrorCode code = e.code();
    if (e.retryAfter() != null) {
      response
          .getHeaders()
          .put(HttpHeader.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    response.setStatus(code.httpStatus());
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
    response.write(
        true,
        ByteBuffer.wrap(
            mapper.writeValueAsBytes(Problem.of(code, e.getMessage(), path, List.of()))),
        callback);
  }
}

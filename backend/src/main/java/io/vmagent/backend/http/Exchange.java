package io.vmagent.backend.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.vmagent.backend.auth.PeerIdentity;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.web.Peers;
import io.vmagent.backend.web.WebHandler;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.FieldViolation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * One request as the endpoints see it: path and query parameters, credentials, and a body that is
 * read within the route's size limit, checked against the OpenAPI document and bound to a protocol
 * record with the strict mapper, in that order, before anything is stored.
 */
final class Exchange {
  private final Request request;
  private final Route route;
  private final String path;
  private final Map<String, String> pathParams;
  private final Map<String, List<String>> query;
  private final RequestValidator validator;
  private final ObjectMapper mapper;
  private int bodyBytes;
  private String agentId;
  private boolean operator;

  Exchange(
      Request request,
      Route route,
      String path,
      Map<String, String> pathParams,
      Map<String, List<String>> query,
      RequestValidator validator,
      ObjectMapper mapper) {
    this.request = request;
    this.route = route;
    this.path = path;
    this.pathParams = pathParams;
    this.query = query;
    this.validator = validator;
    this.mapper = mapper;
  }

  /** The route's path template, e.g. {@code /api/v1/agents/{agentId}/heartbeat}. */
  String routeTemplate() {
    return route.template;
  }

  /** The agent the route's caller proved to be, or null when it is not an agent. */
  String agentId() {
    return agentId;
  }

  /** Whether the route's caller proved to be an operator. */
  boolean operator() {
    return operator;
  }

  void admitAgent(String agentId) {
    this.agentId = agentId;
  }

  void admitOperator() {
    this.operator = true;
  }

  /** How many bytes the body had, once {@link #body} read it. */
  int bodyBytes() {
    return bodyBytes;
  }

  String authorization() {
    return request.getHeaders().get(HttpHeader.AUTHORIZATION);
  }

  /** Who the client certificate of this connection names, or null when none was presented. */
  PeerIdentity peer() {
    return Peers.of(request);
  }

  /** The request's method. */
  String method() {
    return route.method;
  }

  /** The value of the dashboard's session cookie, or null when the request sends none. */
  String sessionCookie() {
    return WebHandler.sessionCookie(request);
  }

  /** The value of the request header {@code name}, or null when it is absent. */
  String header(String name) {
    return request.getHeaders().get(name);
  }

  /** The client's address, for the log of refused attempts. */
  String remoteAddress() {
    return Request.getRemoteAddr(request);
  }

  /** Whether the client connected from a loopback address (this host). */
  boolean fromLoopback() {
    return request.getConnectionMetaData().getRemoteSocketAddress()
            instanceof java.net.InetSocketAddress remote
        && remote.getAddress() != null
        && remote.getAddress().isLoopbackAddress();
  }

  String pathParam(String name) {
    return pathParams.get(name);
  }

  /** Checks the bodyless request (path and query) against the document. */
  Exchange accept() {
    reject(validator.violations(route.method, route.template, path, query), false);
    return this;
  }

  /** A validated query parameter as an int, or the default when it is absent. */
  int intQuery(String name, int defaultValue) {
    List<String> values = query.get(name);
    if (values == null || values.isEmpty()) {
      return defaultValue;
    }
    // The document's check reads " 25" (blanks around it) as 25, as Java's parser does not: read
    // alike, and never let a spelling that slipped past the check become a 500.
    try {
      return Integer.parseInt(values.get(0).trim());
    } catch (NumberFormatException e) {
      throw ApiException.badRequest("the query parameter " + name + " is not an integer");
    }
  }

  /** A validated query parameter, or null when it is absent. */
  String query(String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  /** Reads, checks and binds the body. */
  <T> T body(Body<T> declared) throws IOException {
    Class<T> type = declared.type();
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (contentType == null
        || !contentType.toLowerCase(Locale.ROOT).matches("application/json\\s*(;.*)?")) {
      throw new ApiException(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send the body as Content-Type: application/json");
    }
    String body = readBody(declared.maxBytes());
    JsonNode tree = parse(mapper, body);
    reject(
        validator.violations(
            route.method, route.template, path, query, "application/json", body, tree),
        declared.secret());
    try {
      T value;
      if (tree == null) {
        // not strict JSON: binding the text refuses it with the parser's own description
        value = mapper.readValue(body, type);
      } else {
        if (body.contains("\\u0000") && containsNul(tree)) {
          throw nulRefused();
        }
        value = mapper.treeToValue(tree, type);
      }
      if (value == null) {
        throw ApiException.badRequest("the body is null");
      }
      return value;
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          declared.secret()
              ? "the body is not a valid " + type.getSimpleName()
              : "the body is not a valid " + type.getSimpleName() + ": " + describe(e));
    }
  }

  /**
   * The body parsed once with the strict mapper, for both the schema check and the binding; null
   * when the strict mapper refuses it (not JSON, a duplicate key, trailing tokens), which the
   * document check or the binding then reports as before.
   */
  static JsonNode parse(ObjectMapper mapper, String body) {
    try {
      JsonNode tree = mapper.readTree(body);
      return tree.isMissingNode() ? null : tree; // blank: binding the text says so, as before
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static ApiException nulRefused() {
    return ApiException.badRequest("a string in the body contains U+0000 (NUL)");
  }

  /**
   * PostgreSQL cannot store U+0000 in text, so a string holding one would fail in the database
   * (503, and an error in the log) instead of being refused; no agent or operator has a reason to
   * send one, so it is a bad request on every database alike.
   */
  private static boolean containsNul(JsonNode node) {
    if (node.isTextual()) {
      return node.textValue().indexOf('\0') >= 0;
    }
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        if (field.getKey().indexOf('\0') >= 0 || containsNul(field.getValue())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (containsNul(element)) {
          return true;
        }
      }
    }
    return false;
  }

  private static String describe(JsonProcessingException e) {
    if (e instanceof UnrecognizedPropertyException unknown) {
      return "unknown member '" + unknown.getPropertyName() + "'";
    }
    if (e instanceof InvalidFormatException || e instanceof MismatchedInputException) {
      MismatchedInputException mismatch = (MismatchedInputException) e;
      return mismatch.getPathReference() + ": " + firstLine(e.getOriginalMessage());
    }
    return firstLine(e.getOriginalMessage());
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private String readBody(int limit) throws IOException {
    long declared = request.getHeaders().getLongField(HttpHeader.CONTENT_LENGTH);
    if (declared > limit) {
      throw tooLarge(limit);
    }
    byte[] bytes;
    try (InputStream in = Content.Source.asInputStream(request)) {
      bytes = in.readNBytes(limit + 1);
    }
    if (bytes.length > limit) {
      throw tooLarge(limit);
    }
    if (bytes.length == 0) {
      throw ApiException.badRequest("the body is empty");
    }
    bodyBytes = bytes.length;
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw ApiException.badRequest("the body is not UTF-8");
    }
  }

  private static ApiException tooLarge(int limit) {
    return new ApiException(
        ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than this endpoint's " + limit + " bytes");
  }

  private static void reject(List<FieldViolation> violations, boolean sensitive) {
    if (violations.isEmpty()) {
      return;
    }
    if (sensitive) {
      throw ApiException.badRequest("the request does not follow the protocol");
    }
    FieldViolation first = violations.get(0);
    String where = first.pointer() == null ? "" : first.pointer() + ": ";
    throw new ApiException(ErrorCode.BAD_REQUEST, where + first.message(), violations);
  }

  /** A time in a query (the OpenAPI document checked its form), or null when absent. */
  static Instant instantQuery(Exchange x, String name) {
    String value = x.query(name);
    try {
      return value == null ? null : OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name + " must be a time such as 2026-12-06T10:00:00Z");
    }
  }
}

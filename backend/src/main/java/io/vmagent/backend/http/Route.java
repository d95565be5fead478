package io.vmagent.backend.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A method and path template (with {@code {name}} segments) bound to who may call it, what it reads
 * and the endpoint that answers: {@code Route.post(PATH).by(caller).answer(body, endpoint)}.
 */
final class Route {
  private static final Pattern NAME = Pattern.compile("\\{([A-Za-z]+)\\}");

  final String method;
  final String template;
  final Caller caller;
  private final Endpoint endpoint;
  private final Pattern pattern;
  private final List<String> names = new ArrayList<>();

  private Route(String method, String template, Caller caller, Endpoint endpoint) {
    this.method = method;
    this.template = template;
    this.caller = caller;
    this.endpoint = endpoint;
    Matcher names = NAME.matcher(template);
    StringBuilder regex = new StringBuilder();
    int last = 0;
    while (names.find()) {
      regex.append(Pattern.quote(template.substring(last, names.start()))).append("([^/]+)");
      this.names.add(names.group(1));
      last = names.end();
    }
    regex.append(Pattern.quote(template.substring(last)));
    this.pattern = Pattern.compile(regex.toString());
  }

  /** A route for {@code GET} on this template. */
  static Builder get(String template) {
    return new Builder("GET", template);
  }

  /** A route for {@code POST} on this template. */
  static Builder post(String template) {
    return new Builder("POST", template);
  }

  /** A route for {@code DELETE} on this template. */
  static Builder delete(String template) {
    return new Builder("DELETE", template);
  }

  /** The secret this route's caller proves itself with. */
  Credential credential() {
    return caller.credential();
  }

  /** Admits the caller, checks the request and answers it, in that order. */
  Reply answer(Exchange exchange) throws Exception {
    caller.check().admit(exchange);
    return endpoint.handle(exchange);
  }

  /** The path parameters when the path fits this route's template, else null. */
  Map<String, String> match(String path) {
    Matcher matcher = pattern.matcher(path);
    if (!matcher.matches()) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      params.put(names.get(i), matcher.group(i + 1));
    }
    return params;
  }

  /** Declares a route: its caller first, then what it reads and answers. */
  static final class Builder {
    private final String method;
    private final String template;
    private Caller caller;

    private Builder(String method, String template) {
      this.method = method;
      this.template = template;
    }

    /** Who may call the route. Required. */
    Builder by(Caller caller) {
      this.caller = caller;
      return this;
    }

    /** The route, reading no body: its path and query are checked before the endpoint runs. */
    Route answer(Endpoint endpoint) {
      return new Route(
          method,
          template,
          caller(),
          x -> {
            x.accept();
            return endpoint.handle(x);
          });
    }

    /** The route, reading {@code body} (checked and bound) before the endpoint runs. */
    <T> Route answer(Body<T> body, Endpoint.WithBody<T> endpoint) {
      return new Route(method, template, caller(), x -> endpoint.handle(x, x.body(body)));
    }

    private Caller caller() {
      if (caller == null) {
        throw new IllegalStateException("the route " + method + " " + template + " has no caller");
      }
      return caller;
    }
  }
}

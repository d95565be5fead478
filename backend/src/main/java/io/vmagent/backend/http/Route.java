package io.vmagent.backend.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A method and path template (with {@code {name}} segments) bound to an endpoint. */
final class Route {
  /**
   * The secret a route's caller proves itself with, as far as failed attempts are concerned: the
   * guessable ones (bootstrap, refresh and operator tokens) are refused for a while after too many
   * failures from one address; an access token is a signed JWT, so its failures are only counted.
   */
  enum Credential {
    NONE(false),
    ACCESS_TOKEN(false),
    BOOTSTRAP_TOKEN(true),
    REFRESH_TOKEN(true),
    OPERATOR_TOKEN(true);

    final boolean guessable;

    Credential(boolean guessable) {
      this.guessable = guessable;
    }

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
  }

  final String method;
  final String template;
  final int maxBodyBytes;
  final boolean sensitiveBody;
  final Endpoint endpoint;
  final Credential credential;
  private final Pattern pattern;
  private final List<String> names = new ArrayList<>();

  Route(
      String method, String template, int maxBodyBytes, boolean sensitiveBody, Endpoint endpoint) {
    this(method, template, maxBodyBytes, sensitiveBody, endpoint, defaultCredential(template));
  }

  private Route(
      String method,
      String template,
      int maxBodyBytes,
      boolean sensitiveBody,
      Endpoint endpoint,
      Credential credential) {
    this.method = method;
    this.template = template;
    this.credential = credential;
    this.maxBodyBytes = maxBodyBytes;
    this.sensitiveBody = sensitiveBody;
    this.endpoint = endpoint;
    Matcher names = Pattern.compile("\\{([A-Za-z]+)\\}").matcher(template);
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

  /** This route, its callers proving themselves with {@code credential}. */
  Route proving(Credential credential) {
    return new Route(method, template, maxBodyBytes, sensitiveBody, endpoint, credential);
  }

  // Operator routes take the operator token and agent routes an access token, unless declared.
  private static Credential defaultCredential(String template) {
    return template.startsWith(io.vmagent.protocol.ProtocolPaths.API_V1 + "/operator/")
        ? Credential.OPERATOR_TOKEN
        : template.startsWith(io.vmagent.protocol.ProtocolPaths.API_V1 + "/agents/")
                || template.startsWith(io.vmagent.protocol.ProtocolPaths.API_V1 + "/updates/")
            ? Credential.ACCESS_TOKEN
            : Credential.NONE;
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
}

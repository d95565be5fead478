package io.vmagent.backend.http;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A method and path template (with {@code {name}} segments) bound to an endpoint. */
final class Route {
  final String method;
  final int maxBodyBytes;
  final boolean sensitiveBody;
  final Endpoint endpoint;
  private final Pattern pattern;
  private final List<String> names = new ArrayList<>();

  Route(
      String method, String template, int maxBodyBytes, boolean sensitiveBody, Endpoint endpoint) {
    this.method = method;
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

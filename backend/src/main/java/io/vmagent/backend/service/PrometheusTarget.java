package io.vmagent.backend.service;

import java.util.Locale;

/** Where a Prometheus elsewhere reaches an agent's endpoint, from the address the agent reports. */
final class PrometheusTarget {
  private PrometheusTarget() {}

  /**
   * {@code host:port} to scrape for an agent on {@code hostname} whose endpoint listens on {@code
   * endpoint}: the agent's host name when it listens on every address; null when it listens on
   * loopback only (no other host reaches it) or reports none.
   */
  static String of(String endpoint, String hostname) {
    if (endpoint == null) {
      return null;
    }
    int colon = endpoint.lastIndexOf(':');
    if (colon <= 0) {
      return null;
    }
    String host = endpoint.substring(0, colon);
    String port = endpoint.substring(colon + 1);
    String bare =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    String lower = bare.toLowerCase(Locale.ROOT);
    if (lower.equals("0.0.0.0") || lower.equals("::") || lower.equals("0:0:0:0:0:0:0:0")) {
      return hostname.contains(":") ? "[" + hostname + "]:" + port : hostname + ":" + port;
    }
    if (lower.equals("localhost")
        || lower.startsWith("127.")
        || lower.equals("::1")
        || lower.equals("0:0:0:0:0:0:0:1")) {
      return null;
    }
    return endpoint;
  }
}

package io.vmagent.simulator;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backend's CPU per request, by route, from two scrapes of its {@code /metrics}: the handling
 * threads' CPU counter and the requests counter, differenced over the steady window.
 */
final class RouteCpu {
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^(vm_backend_http_request_cpu_seconds_total|vm_backend_http_requests_total)"
              // A label value may hold braces (a route template's {agentId}).
              + "\\{((?:[^\"}]|\"[^\"]*\")*)\\} ([0-9.eE+-]+)$",
          Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /** One route's figures over the window. */
  record Cost(long requests, double cpuMicrosPerRequest) {}

  /** Cumulative CPU seconds and requests per "METHOD route", as one scrape shows them. */
  record Totals(Map<String, Double> cpuSeconds, Map<String, Double> requests) {
    static final Totals NONE = new Totals(Map.of(), Map.of());
  }

  private RouteCpu() {}

  static Totals parse(String exposition) {
    Map<String, Double> cpu = new HashMap<>();
    Map<String, Double> requests = new HashMap<>();
    Matcher m = SAMPLE.matcher(exposition);
    while (m.find()) {
      Map<String, String> labels = new HashMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String key = labels.get("method") + " " + labels.get("route");
      double value = Double.parseDouble(m.group(3));
      (m.group(1).startsWith("vm_backend_http_request_cpu") ? cpu : requests)
          .merge(key, value, Double::sum);
    }
    return new Totals(cpu, requests);
  }

  /** Routes that answered requests between the two scrapes, with their mean CPU per request. */
  static SortedMap<String, Cost> between(Totals before, Totals after) {
    SortedMap<String, Cost> costs = new TreeMap<>();
    for (Map.Entry<String, Double> e : after.cpuSeconds().entrySet()) {
      double requests =
          after.requests().getOrDefault(e.getKey(), 0.0)
              - before.requests().getOrDefault(e.getKey(), 0.0);
      if (requests < 1) {
        continue;
      }
      double cpu = e.getValue() - before.cpuSeconds().getOrDefault(e.getKey(), 0.0);
      costs.put(e.getKey(), new Cost((long) requests, Math.round(cpu / requests * 1e7) / 10.0));
    }
    return costs;
  }
}

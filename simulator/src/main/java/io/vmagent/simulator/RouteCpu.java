package io.vmagent.simulator;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backend's CPU and allocation per request, by route, from two scrapes of its {@code /metrics}:
 * the handling threads' CPU and allocation counters and the requests counter, differenced over the
 * steady window.
 */
final class RouteCpu {
  private static final Pattern SAMPLE =
      Pattern.compile(
          "^(vm_backend_http_request_cpu_seconds_total|vm_backend_http_request_allocated_bytes_total"
              + "|vm_backend_http_requests_total)"
              // A label value may hold braces (a route template's {agentId}).
              + "\\{((?:[^\"}]|\"[^\"]*\")*)\\} ([0-9.eE+-]+)$",
          Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  /**
   * One route's figures over the window; {@code kibPerRequest} is NaN when the backend does not
   * count allocation.
   */
  record Cost(long requests, double cpuMicrosPerRequest, double kibPerRequest) {}

  /**
   * Cumulative CPU seconds, allocated bytes and requests per "METHOD route", as one scrape shows.
   */
  record Totals(
      Map<String, Double> cpuSeconds,
      Map<String, Double> allocatedBytes,
      Map<String, Double> requests) {
    static final Totals NONE = new Totals(Map.of(), Map.of(), Map.of());

    /** These totals with {@code other}'s added (another instance's). */
    Totals plus(Totals other) {
      return new Totals(
          sum(cpuSeconds, other.cpuSeconds),
          sum(allocatedBytes, other.allocatedBytes),
          sum(requests, other.requests));
    }

    private static Map<String, Double> sum(Map<String, Double> a, Map<String, Double> b) {
      Map<String, Double> sum = new HashMap<>(a);
      b.forEach((k, v) -> sum.merge(k, v, Double::sum));
      return sum;
    }
  }

  private RouteCpu() {}

  static Totals parse(String exposition) {
    Map<String, Double> cpu = new HashMap<>();
    Map<String, Double> allocated = new HashMap<>();
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
      Map<String, Double> into =
          switch (m.group(1)) {
            case "vm_backend_http_request_cpu_seconds_total" -> cpu;
            case "vm_backend_http_request_allocated_bytes_total" -> allocated;
            default -> requests;
          };
      into.merge(key, value, Double::sum);
    }
    return new Totals(cpu, allocated, requests);
  }

  /**
   * Routes that answered requests between the two scrapes, with their mean CPU and allocation per
   * request.
   */
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
      Double allocatedAfter = after.allocatedBytes().get(e.getKey());
      double kib =
          allocatedAfter == null
              ? Double.NaN
              : Math.round(
                      (allocatedAfter - before.allocatedBytes().getOrDefault(e.getKey(), 0.0))
                          / requests
                          / 1024
                          * 10)
                  / 10.0;
      costs.put(
          e.getKey(), new Cost((long) requests, Math.round(cpu / requests * 1e7) / 10.0, kib));
    }
    return costs;
  }
}

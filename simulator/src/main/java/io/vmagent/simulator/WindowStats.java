package io.vmagent.simulator;

import java.util.EnumMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Latencies and failures of every request type that started within one window of the run. */
final class WindowStats {
  private final String name;
  private final Map<RequestType, LatencyLog> logs = new EnumMap<>(RequestType.class);
  private final Map<RequestType, LongAdder> errorCounts = new EnumMap<>(RequestType.class);
  private final ConcurrentHashMap<String, LongAdder> errorReasons = new ConcurrentHashMap<>();

  WindowStats(String name, int capPerType) {
    this.name = name;
    for (RequestType type : RequestType.values()) {
      logs.put(type, new LatencyLog(capPerType));
      errorCounts.put(type, new LongAdder());
    }
  }

  String name() {
    return name;
  }

  void success(RequestType type, long micros) {
    logs.get(type).add(micros);
  }

  /** Counts a failure; the reason must never carry a secret (status, error code, class name). */
  void failure(RequestType type, String reason) {
    errorCounts.get(type).increment();
    errorReasons.computeIfAbsent(type + " " + reason, k -> new LongAdder()).increment();
  }

  long successes(RequestType type) {
    return logs.get(type).count();
  }

  long errors() {
    return errorCounts.values().stream().mapToLong(LongAdder::sum).sum();
  }

  Map<RequestType, LatencySummary> summaries(double windowSeconds) {
    Map<RequestType, LatencySummary> out = new EnumMap<>(RequestType.class);
    for (RequestType type : RequestType.values()) {
      long errors = errorCounts.get(type).sum();
      LatencyLog log = logs.get(type);
      if (log.count() > 0 || errors > 0) {
        out.put(type, log.summary(windowSeconds, errors));
      }
    }
    return out;
  }

  SortedMap<String, Long> errorReasons() {
    SortedMap<String, Long> out = new TreeMap<>();
    errorReasons.forEach((reason, count) -> out.put(reason, count.sum()));
    return out;
  }
}

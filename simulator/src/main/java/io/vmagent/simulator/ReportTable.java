package io.vmagent.simulator;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Renders reports as the Markdown table of {@code docs/benchmarks.md}. */
final class ReportTable {
  private ReportTable() {}

  static String render(List<FleetReport> reports) {
    StringBuilder out = new StringBuilder();
    out.append(
        "| N | run | instances | req/s | heartbeat p50 / p99 ms | metrics p50 / p99 ms"
            + " | result p50 / p99 ms | queue p50 / p99 ms | command round trip p50 / p99 ms"
            + " | registration storm s (p99 ms) | backend CPU % of a core | backend RSS MiB (max)"
            + " | simulator CPU % | machine busy % (load avg) | errors | p99 < limit |\n");
    out.append("|---:|---|---:|---:|---|---|---|---|---|---|---|---|---:|---|---:|---|\n");
    for (FleetReport r : reports) {
      out.append("| ").append(r.agents());
      out.append(" | ").append(r.label());
      out.append(" | ").append(r.backends().size());
      out.append(" | ").append(fmt(r.requestsPerSecond()));
      out.append(" | ").append(pair(r, RequestType.HEARTBEAT));
      out.append(" | ").append(pair(r, RequestType.METRICS));
      out.append(" | ").append(pair(r, RequestType.RESULT));
      out.append(" | ").append(pair(r, RequestType.QUEUE));
      out.append(" | ").append(pair(r, RequestType.COMMAND_ROUND_TRIP));
      FleetReport.Registration reg = r.registration();
      out.append(" | ")
          .append(fmt(reg.seconds()))
          .append(" (")
          .append(reg.latency() == null ? "-" : fmt(reg.latency().p99Ms()))
          .append(")");
      if (reg.registered() < r.agents()) {
        out.append(" only ").append(reg.registered()).append(" registered");
      }
      out.append(" | ")
          .append(
              r.backendProcesses().stream()
                  .map(p -> fmt(p.cpuPercent()))
                  .collect(Collectors.joining(" + ")));
      out.append(" | ")
          .append(
              r.backendProcesses().stream()
                  .map(p -> fmt(p.rssMibMax()))
                  .collect(Collectors.joining(" + ")));
      out.append(" | ").append(fmt(r.simulator().cpuPercent()));
      out.append(" | ")
          .append(fmt(r.machineBusyPercent()))
          .append(" (")
          .append(r.loadAverageBefore().split(" ", -1)[0])
          .append(")");
      out.append(" | ").append(r.totalErrors());
      out.append(" | ").append(r.holds() ? "yes" : "no (worst p99 " + fmt(r.worstP99Ms()) + ")");
      out.append(" |\n");
    }
    return out.toString();
  }

  private static String pair(FleetReport r, RequestType type) {
    LatencySummary s = r.steady().get(type);
    if (s == null || s.count() == 0) {
      return "-";
    }
    return fmt(s.p50Ms()) + " / " + fmt(s.p99Ms());
  }

  static String fmt(double v) {
    if (v >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    if (v >= 10) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.2f", v);
  }
}

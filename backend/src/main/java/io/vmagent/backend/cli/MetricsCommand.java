package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.MetricsHistory;
import io.vmagent.protocol.MetricsSeries;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vm-backend metrics}: the metrics the agents reported, as the backend keeps them. */
@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    description = "Metrics the agents reported.",
    subcommands = {MetricsCommand.History.class, HelpCommand.class})
final class MetricsCommand extends CommandGroup {
  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = {
        "A host's or a VM's metrics over time, one line per step.",
        "Each cell is the step's average/maximum; - where no sample held a value."
      })
  static final class History extends OperatorCommand {
    @Option(names = "--agent", paramLabel = "ID", required = true, description = "The agent.")
    String agent;

    @Option(
        names = "--vm",
        paramLabel = "NAME",
        description = "This VM's metrics rather than the host's.")
    String vm;

    @Option(
        names = "--since",
        paramLabel = "DURATION",
        converter = Durations.class,
        description = "This long before --to (or now): 1h, 24h, 7d. Default 1h.")
    Duration since;

    @Option(
        names = "--from",
        paramLabel = "TIME",
        description = "From this time (2026-12-06T10:00:00Z).")
    Instant from;

    @Option(names = "--to", paramLabel = "TIME", description = "Up to this time. Default now.")
    Instant to;

    @Option(
        names = "--step",
        paramLabel = "DURATION",
        converter = Durations.Step.class,
        description =
            "One line per this long, whole minutes: 1m, 5m, 1h. Default: the shortest that keeps"
                + " the answer within 300 lines.")
    Duration step;

    @Option(names = "--json", description = "Print the backend's answer as JSON.")
    boolean json;

    @Override
    void checkArguments() {
      if (since != null && from != null) {
        throw new IllegalArgumentException("give --since or --from, not both");
      }
    }

    @Override
    int call(OperatorClient client) throws Exception {
      Instant start = from;
      if (since != null) {
        start = (to == null ? Instant.now() : to).minus(since);
      }
      Map<String, String> query = new LinkedHashMap<>();
      query.put("agent_id", agent);
      query.put("vm", vm);
      query.put("from", start == null ? null : start.toString());
      query.put("to", to == null ? null : to.toString());
      query.put("step", step == null ? null : String.valueOf(step.toSeconds()));
      MetricsHistory history = client.metricsHistory(query);
      if (json) {
        Output.json(out(), history);
        return 0;
      }
      Output.table(out(), header(history), rows(history));
      return 0;
    }

    private static List<String> header(MetricsHistory history) {
      List<String> header = new ArrayList<>();
      header.add("TIME");
      for (MetricsSeries series : history.series()) {
        header.add(label(series));
      }
      return header;
    }

    private static List<List<Object>> rows(MetricsHistory history) {
      List<List<Object>> rows = new ArrayList<>();
      for (int i = 0; i < history.timestamps().size(); i++) {
        List<Object> row = new ArrayList<>();
        row.add(Instant.ofEpochSecond(history.timestamps().get(i)));
        for (MetricsSeries series : history.series()) {
          row.add(cell(series, i));
        }
        rows.add(row);
      }
      return rows;
    }

    /** The series' name without the unit it ends with, then the unit: {@code disk_read B/s}. */
    static String label(MetricsSeries series) {
      String name = series.name();
      for (String suffix : List.of("_bytes_per_second", "_percent", "_bytes")) {
        if (name.endsWith(suffix)) {
          name = name.substring(0, name.length() - suffix.length());
          break;
        }
      }
      String symbol = symbol(series.unit());
      return symbol.isEmpty() ? name : name + " " + symbol;
    }

    private static String symbol(String unit) {
      return switch (unit) {
        case "percent" -> "%";
        case "bytes" -> "B";
        case "bytes_per_second" -> "B/s";
        case "load" -> "";
        default -> unit;
      };
    }

    private static String cell(MetricsSeries series, int i) {
      Double avg = i < series.avg().size() ? series.avg().get(i) : null;
      Double max = i < series.max().size() ? series.max().get(i) : null;
      if (avg == null && max == null) {
        return null;
      }
      return number(avg) + "/" + number(max);
    }

    /** Short and readable: {@code 12.5}, {@code 0.25}, {@code 1.5Ki}, {@code 320Mi}. */
    static String number(Double value) {
      if (value == null) {
        return "-";
      }
      double v = value;
      String[] prefixes = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"};
      int p = 0;
      while (Math.abs(v) >= 1024 && p < prefixes.length - 1) {
        v /= 1024;
        p++;
      }
      String form;
      if (Math.abs(v) >= 100 || (p == 0 && v == Math.rint(v))) {
        form = "%.0f";
      } else if (Math.abs(v) >= 10 || p > 0) {
        form = "%.1f";
      } else {
        form = "%.2f";
      }
      return String.format(Locale.ROOT, form, v) + prefixes[p];
    }
  }
}

package io.vmagent.agent.metrics;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Renders a snapshot as the readable tables of {@code vm-agent metrics}; each part prints its own
 * lines or declares its columns, with the cell formats below. Names (VMs, mounts, devices) and
 * error messages are printed through {@link io.vmagent.protocol.text.Printable}.
 */
public final class MetricsTable {
  private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

  private MetricsTable() {}

  /** Host facts and system figures. */
  public static void printSystem(MetricsSnapshot snapshot, PrintWriter out) {
    if (snapshot.host() != null) {
      snapshot.host().print(out);
    }
    snapshot.system().print(out);
    snapshot.printFailures(out);
    out.flush();
  }

  /** One line per domain. */
  public static void printDomains(MetricsSnapshot snapshot, PrintWriter out) {
    Column.print(DomainMetrics.COLUMNS, snapshot.domains(), out);
    if (snapshot.domains().isEmpty()) {
      out.println("(no domains)");
    }
    snapshot.printFailures(out);
    out.flush();
  }

  static String bytes(Number value) {
    if (value == null || Double.isNaN(value.doubleValue()) || value.doubleValue() < 0) {
      return "-";
    }
    double v = value.doubleValue();
    int unit = 0;
    while (Math.abs(v) >= 1024 && unit < UNITS.length - 1) {
      v /= 1024;
      unit++;
    }
    return unit == 0
        ? String.format(Locale.ROOT, "%.0f %s", v, UNITS[unit])
        : String.format(Locale.ROOT, "%.1f %s", v, UNITS[unit]);
  }

  static String percent(Double value) {
    return value == null || value.isNaN() ? "-" : String.format(Locale.ROOT, "%.1f%%", value);
  }

  static String number(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.1f", value);
  }

  static String duration(long seconds) {
    long days = seconds / 86400;
    long hours = seconds % 86400 / 3600;
    long minutes = seconds % 3600 / 60;
    if (days > 0) {
      return days + "d " + hours + "h";
    }
    if (hours > 0) {
      return hours + "h " + minutes + "m";
    }
    return minutes > 0 ? minutes + "m " + seconds % 60 + "s" : seconds + "s";
  }
}

package io.vmagent.backend.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * Reads durations such as {@code 90s}, {@code 10m}, {@code 2h}, {@code 7d} or {@code 500ms}, and
 * checks each against the range its option allows, so a value cannot overflow where it is used
 * ({@code op --deadline 1193047h} once became 1,904 seconds). Each option names its range by its
 * converter class: {@code converter = Durations.Deadline.class}.
 */
class Durations implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern FORM = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private final Duration min;
  private final Duration max;

  /** Any duration from 1 ms to 10 years. */
  Durations() {
    this(Duration.ofMillis(1), Duration.ofDays(3650));
  }

  Durations(Duration min, Duration max) {
    this.min = min;
    this.max = max;
  }

  @Override
  public Duration convert(String value) {
    Matcher m = FORM.matcher(value.trim());
    if (!m.matches()) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration; use e.g. 500ms, 30s, 10m, 2h or 7d");
    }
    long amount = Long.parseLong(m.group(1));
    Duration duration =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(amount);
          case "s" -> Duration.ofSeconds(amount);
          case "m" -> Duration.ofMinutes(amount);
          case "h" -> Duration.ofHours(amount);
          default -> Duration.ofDays(amount);
        };
    if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is out of range: use " + format(min) + " to " + format(max));
    }
    return duration;
  }

  /** The shortest exact form: {@code 24h} rather than {@code 86400s}. */
  static String format(Duration duration) {
    long millis = duration.toMillis();
    if (millis % 86_400_000 == 0) {
      return millis / 86_400_000 + "d";
    }
    if (millis % 3_600_000 == 0) {
      return millis / 3_600_000 + "h";
    }
    if (millis % 60_000 == 0) {
      return millis / 60_000 + "m";
    }
    return millis % 1000 == 0 ? millis / 1000 + "s" : millis + "ms";
  }

  /**
   * How long ago, roughly, as a person says it: {@code 42s ago}, {@code 3h ago}, {@code 2d ago}.
   */
  static String ago(Duration age) {
    long seconds = Math.max(0, age.toSeconds());
    if (seconds < 120) {
      return seconds + "s ago";
    }
    if (seconds < 7_200) {
      return seconds / 60 + "m ago";
    }
    if (seconds < 172_800) {
      return seconds / 3_600 + "h ago";
    }
    return seconds / 86_400 + "d ago";
  }

  /** A command's deadline: 1 s to 24 h, the protocol's {@code deadline_seconds} range. */
  static final class Deadline extends Durations {
    Deadline() {
      super(Duration.ofSeconds(1), Duration.ofDays(1));
    }
  }

  /** How long {@code op --wait} waits: 1 s to 1 day. */
  static final class Wait extends Durations {
    Wait() {
      super(Duration.ofSeconds(1), Duration.ofDays(1));
    }
  }

  /**
   * Token lifetimes and the command lease: 1 s to 365 days (a bootstrap token's range in the
   * protocol, {@code expires_in_seconds}).
   */
  static final class Lifetime extends Durations {
    Lifetime() {
      super(Duration.ofSeconds(1), Duration.ofDays(365));
    }
  }

  /** A step of the metrics history: 1 minute to 1 day, the protocol's {@code step} range. */
  static final class Step extends Durations {
    Step() {
      super(Duration.ofMinutes(1), Duration.ofDays(1));
    }
  }

  /** How long stored rows are kept: 1 s to 10 years. */
  static final class Retention extends Durations {
    Retention() {
      super(Duration.ofSeconds(1), Duration.ofDays(3650));
    }
  }
}

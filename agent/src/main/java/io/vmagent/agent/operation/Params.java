package io.vmagent.agent.operation;

import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ParamLimits;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The parameters of one operation as the backend sends them (a JSON object), read strictly: unknown
 * names, wrong types, out-of-range values and parameters larger than {@link ParamLimits} allows are
 * {@code INVALID_ARGUMENT} before anything runs.
 */
public final class Params {
  /** Longest graceful stop or restart wait a caller may ask for. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  private final String operation;
  private final Map<String, ?> values;

  Params(String operation, Map<String, ?> values, Set<String> allowed) {
    this.operation = operation;
    this.values = values == null ? Map.of() : values;
    ParamLimits.problem(operation, this.values)
        .ifPresent(
            tooLarge -> {
              throw invalid(tooLarge);
            });
    Set<String> unknown = new TreeSet<>(this.values.keySet());
    unknown.removeAll(allowed);
    if (!unknown.isEmpty()) {
      throw invalid(
          "unknown parameter(s) "
              + unknown
              + " for "
              + operation
              + "; allowed: "
              + new TreeSet<>(allowed));
    }
  }

  /** A string that must be present. */
  public String requiredString(String name) {
    String value = optionalString(name);
    if (value == null) {
      throw invalid(operation + " needs the parameter '" + name + "'");
    }
    return value;
  }

  /** A string, or null. */
  public String optionalString(String name) {
    Object value = values.get(name);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw invalid("parameter '" + name + "' must be a string");
    }
    return text;
  }

  /** A boolean that is false when absent. */
  public boolean flag(String name) {
    Boolean value = optionalFlag(name);
    return value != null && value;
  }

  /** A boolean ({@code true}/{@code false} as JSON or text), or null. */
  public Boolean optionalFlag(String name) {
    Object value = values.get(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Boolean flag) {
      return flag;
    }
    if ("true".equals(value)) {
      return true;
    }
    if ("false".equals(value)) {
      return false;
    }
    throw invalid("parameter '" + name + "' must be true or false");
  }

  /** A whole number between {@code min} and {@code max} (JSON number or decimal text), or null. */
  public Long optionalWholeNumber(String name, long min, long max) {
    Long number = whole(name, "");
    if (number != null && (number < min || number > max)) {
      throw invalid("parameter '" + name + "' must be between " + min + " and " + max);
    }
    return number;
  }

  /** A whole number of seconds between 1 and 3600, or null. */
  public Duration optionalTimeout(String name) {
    Long seconds = whole(name, " of seconds");
    return seconds == null ? null : checkTimeout(name, Duration.ofSeconds(seconds));
  }

  /** A whole number between {@code min} and {@code max}, or null. */
  public Long optionalLong(String name, long min, long max) {
    Long value = whole(name, "");
    if (value != null && (value < min || value > max)) {
      throw invalid("parameter '" + name + "' must be between " + min + " and " + max);
    }
    return value;
  }

  /** A whole number between {@code min} and {@code max} that must be present. */
  public long requiredLong(String name, long min, long max) {
    Long value = optionalLong(name, min, max);
    if (value == null) {
      throw invalid(operation + " needs the parameter '" + name + "'");
    }
    return value;
  }

  /** The parameter as a whole number (JSON number or decimal text), or null when absent. */
  private Long whole(String name, String unit) {
    Object value = values.get(name);
    if (value == null) {
      return null;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return ((Number) value).longValue();
    }
    if (value instanceof Number number && number.doubleValue() % 1 == 0) {
      return number.longValue();
    }
    if (value instanceof String text && text.matches("[0-9]{1,18}")) {
      return Long.parseLong(text);
    }
    throw invalid("parameter '" + name + "' must be a whole number" + unit);
  }

  /** {@code timeout} when it lies between 1 s and {@link #MAX_TIMEOUT}; null stays null. */
  public static Duration checkTimeout(String name, Duration timeout) {
    if (timeout == null) {
      return null;
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      throw invalid(
          "parameter '" + name + "' must be between 1 and " + MAX_TIMEOUT.toSeconds() + " seconds");
    }
    return timeout;
  }

  /** The failure for a bad parameter. */
  public static OperationFailure invalid(String message) {
    return new OperationFailure(ErrorCode.INVALID_ARGUMENT, message);
  }
}

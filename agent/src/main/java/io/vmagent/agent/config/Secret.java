package io.vmagent.agent.config;

import java.util.Objects;

/**
 * A value that must never be printed: {@link #toString()} masks it, so a secret that slips into a
 * log statement or an exception message by accident shows as {@code ***}.
 */
public final class Secret {
  public static final String MASK = "***";

  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value == null");
  }

  public static Secret of(String value) {
    return new Secret(value);
  }

  /** The plain value, for the one place that must send it. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return MASK;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}

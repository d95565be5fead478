package io.vmagent.agent.config;

import java.util.Locale;
import java.util.Optional;

/**
 * The log levels of the original agent, mapped onto SLF4J's: WARNING is WARN, and CRITICAL, which
 * SLF4J lacks, is ERROR (the most severe level it has).
 */
public enum LogLevel {
  DEBUG("DEBUG"),
  INFO("INFO"),
  WARNING("WARN"),
  ERROR("ERROR"),
  CRITICAL("ERROR");

  private final String slf4jLevel;

  LogLevel(String slf4jLevel) {
    this.slf4jLevel = slf4jLevel;
  }

  /** The SLF4J/Logback level name this level logs at. */
  public String slf4jLevel() {
    return slf4jLevel;
  }

  /** Parses a level name case-insensitively; {@code WARN} is accepted for WARNING. */
  public static Optional<LogLevel> parse(String text) {
    String name = text.strip().toUpperCase(Locale.ROOT);
    if (name.equals("WARN")) {
      return Optional.of(WARNING);
    }
    for (LogLevel level : values()) {
      if (level.name().equals(name)) {
        return Optional.of(level);
      }
    }
    return Optional.empty();
  }
}

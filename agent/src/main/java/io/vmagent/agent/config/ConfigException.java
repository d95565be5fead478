package io.vmagent.agent.config;

import java.util.List;
import java.util.stream.Collectors;

/** The configuration cannot be used; carries every problem found, not just the first. */
public final class ConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** The exit code for an invalid configuration (sysexits EX_CONFIG). */
  public static final int EXIT_CODE = 78;

  private final transient List<ConfigProblem> problems;
  private final transient List<String> warnings;

  public ConfigException(List<ConfigProblem> problems, List<String> warnings) {
    super(
        "invalid configuration:\n"
            + problems.stream().map(p -> "  - " + p.describe()).collect(Collectors.joining("\n"))
            + warnings.stream().map(w -> "\n  warning: " + w).collect(Collectors.joining()));
    this.problems = List.copyOf(problems);
    this.warnings = List.copyOf(warnings);
  }

  /** Warnings found alongside the problems (unknown keys often explain a missing value). */
  public List<String> warnings() {
    return warnings;
  }

  public List<ConfigProblem> problems() {
    return problems;
  }
}

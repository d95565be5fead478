package io.vmagent.agent.config;

/** One thing wrong with the configuration: the key, the offending value (masked) and the fix. */
public record ConfigProblem(String key, String shownValue, String expected) {

  /** The problem as one line for an operator. */
  public String describe() {
    return shownValue == null ? key + ": " + expected : key + "=" + shownValue + ": " + expected;
  }
}

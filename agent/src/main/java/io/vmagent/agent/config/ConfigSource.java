package io.vmagent.agent.config;

/** Where an effective configuration value came from, highest precedence first. */
public enum ConfigSource {
  COMMAND_LINE("command line"),
  ENVIRONMENT("environment"),
  ENV_FILE("env file"),
  STATE_DIR("state directory"),
  GENERATED("generated"),
  DEFAULT("default");

  private final String label;

  ConfigSource(String label) {
    this.label = label;
  }

  /** How the source is named to an operator. */
  public String label() {
    return label;
  }
}

package io.vmagent.agent.util;

/** The version of this agent build, read from the jar's manifest. */
public final class AgentVersion {
  private AgentVersion() {}

  /** The release version, or {@code dev} when running from classes outside a jar. */
  public static String current() {
    String version = AgentVersion.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }
}

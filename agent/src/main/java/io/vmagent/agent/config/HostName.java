package io.vmagent.agent.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The default of AGENT_NAME: this host's name, so a fleet reads well without configuration. */
final class HostName {
  /** The name when the host's own cannot be read. */
  static final String FALLBACK = "vm-agent";

  private static final Path HOSTNAME_FILE = Path.of("/etc/hostname");

  private HostName() {}

  /** The local host name, else the first line of /etc/hostname, else {@link #FALLBACK}. */
  static String local() {
    return resolve(() -> InetAddress.getLocalHost().getHostName(), HOSTNAME_FILE);
  }

  /** As {@link #local()}, with the two places the name is read from given. */
  static String resolve(Callable<String> lookup, Path hostnameFile) {
    try {
      String name = lookup.call();
      if (usable(name)) {
        return name.strip();
      }
    } catch (Exception e) {
      // An unresolvable host name is common on a fresh machine; the file still names the host.
    }
    try {
      String name =
          Files.readString(hostnameFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
      if (usable(name)) {
        return name.strip();
      }
    } catch (IOException | RuntimeException e) {
      // No readable file either: the fixed name below keeps the agent starting.
    }
    return FALLBACK;
  }

  // What parseName accepts, so a default can never make the configuration invalid.
  private static boolean usable(String name) {
    if (name == null || name.isBlank()) {
      return false;
    }
    String stripped = name.strip();
    return stripped.length() <= 128 && stripped.chars().noneMatch(Character::isISOControl);
  }
}

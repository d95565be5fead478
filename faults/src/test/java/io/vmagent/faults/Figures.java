package io.vmagent.faults;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Prints a measured figure ({@code FIGURE name: value}) and appends it to the file named by {@code
 * VMAGENT_FAULTS_REPORT} (the build sets {@code faults/target/fault-figures.txt}), from which
 * docs/reliability.md is written.
 */
final class Figures {
  private Figures() {}

  static synchronized void record(String scenario, String text) {
    String line = Instant.now() + " FIGURE " + scenario + ": " + text;
    System.out.println(line);
    String file = System.getenv("VMAGENT_FAULTS_REPORT");
    if (file == null || file.isBlank()) {
      return;
    }
    try {
      Files.writeString(
          Path.of(file),
          line + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("figure not written to " + file + ": " + e.getMessage());
    }
  }
}

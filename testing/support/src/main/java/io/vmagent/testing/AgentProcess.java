package io.vmagent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code vm-agent run} as a child process (this test's class path or a built jar), its output in a
 * file.
 */
public final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final Path output;

  private AgentProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** How a {@code vm-agent} command that ran to its end exited, and all it printed. */
  public record Completed(int exit, String output) {}

  /** The JVM arguments that run the agent's main class from this test's class path. */
  public static List<String> fromClassPath() {
    return List.of("-cp", System.getProperty("java.class.path"), "io.vmagent.agent.cli.Main");
  }

  /** The JVM arguments that run a built {@code vm-agent.jar}, as shipped. */
  public static List<String> fromJar(Path jar) {
    return List.of("-jar", jar.toString());
  }

  /** Starts the daemon with {@code settings} as its environment (nothing else of ours leaks in). */
  public static AgentProcess start(Map<String, String> settings, Path output) throws IOException {
    return start(fromClassPath(), settings, output);
  }

  /** Starts the daemon from a built {@code vm-agent.jar} instead of this class path. */
  public static AgentProcess startJar(Path jar, Map<String, String> settings, Path output)
      throws IOException {
    return start(fromJar(jar), settings, output);
  }

  /**
   * Runs a command ({@code args} after {@code jvmArguments}, e.g. {@link #fromJar}) to its end,
   * with {@code settings} as its environment, and waits up to a minute for it.
   */
  public static Completed run(
      List<String> jvmArguments, Map<String, String> settings, String... args)
      throws IOException, InterruptedException {
    ProcessBuilder builder = builder(jvmArguments, List.of(args), settings);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException("vm-agent " + String.join(" ", args) + " did not end within 60 s");
    }
    return new Completed(process.exitValue(), output);
  }

  private static AgentProcess start(
      List<String> jvmArguments, Map<String, String> settings, Path output) throws IOException {
    List<String> daemon = new ArrayList<>();
    daemon.add("-Xmx128m");
    // C1 only, as the launcher runs it: suites that start many agents start faster.
    daemon.add("-XX:TieredStopAtLevel=1");
    daemon.addAll(jvmArguments);
    ProcessBuilder builder = builder(daemon, List.of("run"), settings);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    return new AgentProcess(builder.start(), output);
  }

  private static ProcessBuilder builder(
      List<String> jvmArguments, List<String> args, Map<String, String> settings) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmArguments);
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("AGENT_"));
    builder.environment().putAll(settings);
    builder.redirectErrorStream(true);
    return builder;
  }

  public long pid() {
    return process.pid();
  }

  /** Everything the process logged so far. */
  public String log() throws IOException {
    return Files.exists(output) ? Files.readString(output) : "";
  }

  /** SIGKILL: no chance to clean up. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  /** SIGTERM, then waits up to {@code timeout} for the exit code (-1 when it did not exit). */
  public int terminate(Duration timeout) throws InterruptedException {
    process.destroy();
    return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
  }

  boolean alive() {
    return process.isAlive();
  }

  /** Kills the process if it still runs; an interrupt while waiting for it is kept, not thrown. */
  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

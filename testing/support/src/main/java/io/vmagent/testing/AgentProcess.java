package io.vmagent.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** {@code vm-agent run} as a child process (this test's class path or a built jar), its output in a file. */
public final class AgentProcess implements AutoCloseable {
  private final Process process;
  private final Path output;

  private AgentProcess(Process process, Path output) {
    this.process = process;
    this.output = output;
  }

  /** Starts the daemon with {@code settings} as its environment (nothing else of ours leaks in). */
  public static AgentProcess start(Map<String, String> settings, Path output) throws IOException {
    return start(List.of("-cp", System.getProperty("java.class.path"), "io.vmagent.agent.cli.Main"), settings, output);
  }

  /** Starts the daemon from a built {@code vm-agent.jar}, as shipped, instead of this class path. */
  public static AgentProcess startJar(Path jar, Map<String, String> settings, Path output) throws IOException {
    return start(List.of("-jar", jar.toString()), settings, output);
  }

  private static AgentProcess start(List<String> program, Map<String, String> settings, Path output)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xmx128m");
    // C1 only, as the launcher runs it: suites that start many agents start faster.
    command.add("-XX:TieredStopAtLevel=1");
    command.addAll(program);
    command.add("run");
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(name -> name.startsWith("AGENT_"));
    builder.environment().putAll(settings);
    builder.redirectErrorStream(true);
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile()));
    return new AgentProcess(builder.start(), output);
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

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}

package io.vmagent.testing;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code vm-backend serve} in a JVM of its own (the test's class path must hold the backend), with
 * the launcher's heap and its exit on OutOfMemoryError, so a test can see whether the backend
 * survives what a client does to it.
 */
public final class BackendProcess implements AutoCloseable {
  // The files a running backend keeps in its data directory (RunningBackend's names).
  private static final String ENDPOINT_FILE = "backend.url";
  private static final String OPERATOR_TOKEN_FILE = "operator.token";

  private final Process process;
  private final Path dataDir;
  private final Path log;
  private final URI baseUrl;

  private BackendProcess(Process process, Path dataDir, Path log, URI baseUrl) {
    this.process = process;
    this.dataDir = dataDir;
    this.log = log;
    this.baseUrl = baseUrl;
  }

  /**
   * Starts it with these extra {@code serve} options, on a free port of 127.0.0.1 unless they
   * include {@code --listen}.
   */
  public static BackendProcess start(Path dataDir, String... options) throws Exception {
    return start(dataDir, Map.of(), options);
  }

  /** As {@link #start(Path, String...)}, with {@code environment} added to its environment. */
  public static BackendProcess start(
      Path dataDir, Map<String, String> environment, String... options) throws Exception {
    Files.createDirectories(dataDir);
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    // As bin/vm-backend runs it.
    command.addAll(
        List.of(
            "-XX:+UseSerialGC",
            "-Xmx512m",
            "-XX:+ExitOnOutOfMemoryError",
            "-XX:TieredStopAtLevel=1"));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), "io.vmagent.backend.cli.Main"));
    command.addAll(List.of("serve", "--data-dir", dataDir.toString()));
    if (!List.of(options).contains("--listen")) {
      command.addAll(List.of("--listen", "127.0.0.1:0"));
    }
    command.addAll(List.of(options));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    Process process = builder.start();
    Path url = dataDir.resolve(ENDPOINT_FILE);
    Instant until = Instant.now().plusSeconds(60);
    while (!Files.exists(url) || Files.size(url) == 0) {
      if (!process.isAlive() || Instant.now().isAfter(until)) {
        process.destroyForcibly();
        throw new IOException("the backend did not start: " + Files.readString(log));
      }
      Thread.sleep(100);
    }
    return new BackendProcess(
        process, dataDir, log, URI.create(Files.readString(url, StandardCharsets.UTF_8).strip()));
  }

  /** Its URL. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** Its process id. */
  public long pid() {
    return process.pid();
  }

  /** The CA its agents trust. */
  public Path caPem() {
    return dataDir.resolve("tls/ca.pem");
  }

  /** The operator token it generated. */
  public String operatorToken() throws IOException {
    return Files.readString(dataDir.resolve(OPERATOR_TOKEN_FILE)).strip();
  }

  /** Heap in use after a full collection, from {@code jcmd GC.class_histogram}'s total, in MiB. */
  public long heapUsedMib() throws Exception {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                Long.toString(process.pid()),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor(60, TimeUnit.SECONDS);
    for (String line : out.lines().toList()) {
      if (line.strip().startsWith("Total")) {
        String[] parts = line.strip().split("\\s+", -1);
        return Long.parseLong(parts[2]) >> 20;
      }
    }
    return -1;
  }

  /** Everything it printed. */
  public String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    Processes.stop(process, Duration.ofSeconds(20));
  }

  /** Waits at most {@code timeout}; whether it is still running. */
  public boolean aliveAfter(Duration timeout) throws InterruptedException {
    return !process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}

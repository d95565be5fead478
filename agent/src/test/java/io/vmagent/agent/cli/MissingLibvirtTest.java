package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.testing.AgentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that needs libvirt, run in a child JVM in a mount namespace where libvirt's client
 * library is an empty file (as on a host without the package libvirt0): one line saying what to
 * install, exit 69, no stack trace.
 */
class MissingLibvirtTest {
  private static final List<String> MULTIARCH_DIRS =
      List.of(
          "/usr/lib/x86_64-linux-gnu",
          "/usr/lib/aarch64-linux-gnu",
          "/lib/x86_64-linux-gnu",
          "/lib/aarch64-linux-gnu",
          "/usr/lib64",
          "/usr/lib");

  @TempDir static Path dir;

  /** Where the library is, to hide; empty when this host has none, which is the case to test. */
  private static Optional<Path> library;

  @BeforeAll
  static void unshareIsPermitted() throws Exception {
    library =
        MULTIARCH_DIRS.stream()
            .map(d -> Path.of(d, "libvirt.so.0"))
            .filter(Files::exists)
            .findFirst();
    if (library.isPresent()) {
      Result probe = exec(List.of("unshare", "-m", "true"));
      Assumptions.assumeTrue(
          probe.exit() == 0,
          "a private mount namespace (unshare -m, root) is needed to hide libvirt's library: "
              + probe.err());
    }
    Files.writeString(dir.resolve("agent.env"), "");
  }

  static Stream<List<String>> libvirtCommands() {
    return Stream.of(
        List.of("run"),
        List.of("run", "--log-level", "INFO"),
        List.of("vm", "list"),
        List.of("vm", "info", "test"),
        List.of("vm", "stop", "test", "--yes"),
        List.of("vm", "snapshot", "list", "test"),
        List.of("health"),
        List.of("metrics", "--interval", "0"),
        List.of("metrics", "--vms", "--interval", "0"));
  }

  @ParameterizedTest
  @MethodSource("libvirtCommands")
  void saysWhichPackageToInstallAndExitsUnavailable(List<String> args) throws Exception {
    Result result = agent(args);

    assertThat(result.exit()).as(result.err()).isEqualTo(ExitCodes.UNAVAILABLE);
    String message = result.err().lines().filter(l -> l.startsWith("vm-agent: ")).toList().get(0);
    assertThat(message)
        .contains("libvirt's client library libvirt.so.0 cannot be loaded")
        .contains("install the package libvirt0");
    assertThat(result.err()).doesNotContain("UnsatisfiedLinkError", "\tat ", "Exception in thread");
  }

  @Test
  void withJsonTheErrorIsAJsonObject() throws Exception {
    Result result = agent(List.of("vm", "list", "--json"));

    assertThat(result.exit()).isEqualTo(ExitCodes.UNAVAILABLE);
    JsonNode error = new ObjectMapper().readTree(result.out()).get("error");
    assertThat(error.get("code").asText()).isEqualTo("LIBVIRT_UNAVAILABLE");
    assertThat(error.get("message").asText()).contains("install the package libvirt0");
  }

  @Test
  void hostMetricsNeedNoLibvirt() throws Exception {
    Result result = agent(List.of("metrics", "--system", "--interval", "0"));

    assertThat(result.exit()).as(result.err()).isZero();
    assertThat(result.out()).contains("Memory");
  }

  private static Result agent(List<String> args) throws Exception {
    List<String> command = new ArrayList<>();
    if (library.isPresent()) {
      // The bind mount lives and dies with the namespace unshare makes for this one command.
      command.addAll(
          List.of(
              "unshare",
              "-m",
              "sh",
              "-c",
              "mount --bind /dev/null \"$0\" && exec \"$@\"",
              library.get().toString()));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(AgentProcess.fromClassPath());
    command.addAll(args);
    return exec(command);
  }

  private static Result exec(List<String> command) throws IOException, InterruptedException {
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    ProcessBuilder builder = new ProcessBuilder(command).redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("AGENT_"));
    builder.environment().put("AGENT_CONFIG_FILE", dir.resolve("agent.env").toString());
    builder.environment().put("AGENT_STATE_DIR", dir.resolve("state").toString());
    builder.environment().put("AGENT_LIBVIRT_URI", "test:///default");
    builder.environment().put("AGENT_BACKEND_URL", "https://127.0.0.1:9");
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not end within 60 s");
    }
    return new Result(process.exitValue(), out, Files.readString(err));
  }

  private record Result(int exit, String out, String err) {}
}

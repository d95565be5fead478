package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.libvirt.VmLifecycleEvent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.service.ApiException;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.OperationCapability;
import io.vmagent.protocol.VmView;
import io.vmagent.testing.AgentProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixed versions, with the previous release's jars (built from this repository's history by
 * testing/previous-release/build.sh): its agent against this backend, upgraded in place to this
 * agent, and this agent against its backend.
 */
class PreviousReleaseE2eTest {
  @TempDir Path dir;
  private Path previous;
  private RunningBackend backend;
  private Process oldBackend;

  @BeforeEach
  void findThePreviousRelease() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      Path candidate = p.resolve("target/previous-release");
      if (Files.exists(candidate.resolve("vm-agent.jar"))) {
        previous = candidate;
        break;
      }
    }
    Assumptions.assumeTrue(
        previous != null,
        "the previous release's jars are not built: run testing/previous-release/build.sh"
            + " (bin/test does)");
  }

  @AfterEach
  void stop() throws Exception {
    E2e.close(backend);
    if (oldBackend != null) {
      oldBackend.destroy();
      oldBackend.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void thePreviousAgentWorksHereAndIsBoundToAKeyWhenUpgradedInPlace() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.OPTIONAL, 0, b -> b);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            E2e.libvirtHostWithStubbornVm(dir));
    String agentId;
    try (AgentProcess old =
        AgentProcess.startJar(previous.resolve("vm-agent.jar"), settings, dir.resolve("old.log"))) {
      agentId = awaitOnline(null);
      String id = backend.queueCommand(agentId, "list", Map.of()).id();
      assertThat(backend.awaitCommand(id, Duration.ofSeconds(30)).state())
          .isEqualTo(CommandState.SUCCEEDED);
      assertThat(backend.operator().listVms(agentId))
          .as("the previous agent's shutoff is stored in the one spelling")
          .extracting(VmView::name, VmView::state)
          .contains(org.assertj.core.groups.Tuple.tuple("spare-01", "shut_off"));
      assertThat(backend.operator().showAgent(agentId).keyFingerprint())
          .as("an agent of protocol 1 sends no key")
          .isNull();
      assertThat(backend.operator().showAgent(agentId).operations())
          .as("an older agent advertises names only")
          .isNull();
      assertThatExceptionOfType(ApiException.class)
          .as("an operation the older agent does not advertise is refused at queue time")
          .isThrownBy(
              () -> backend.queueCommand(agentId, "set_autostart", Map.of("vm", "spare-01")))
          .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_OPERATION));
      // A cancel request while it waits for a guest: the previous agent is not told (its answers
      // are as before), finishes, and its result is accepted.
      String stop = E2e.leasedStopOfStubborn(backend, agentId, 5);
      assertThat(backend.operator().cancelCommand(stop).cancelRequestedAt()).isNotNull();
      CommandView finished = backend.awaitCommand(stop, Duration.ofSeconds(60));
      assertThat(finished.state()).isEqualTo(CommandState.FAILED);
      assertThat(finished.result().error().code()).isEqualTo(ErrorCode.TIMEOUT);
      assertThat(old.terminate(Duration.ofSeconds(30))).isZero();
    }
    assertThat(Files.readString(dir.resolve("old.log"))).doesNotContain("HTTP 400");

    // Upgraded in place: same state directory and kept credentials, this build of the agent.
    try (AgentProcess upgraded = AgentProcess.start(settings, dir.resolve("new.log"))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> backend.operator().showAgent(agentId).keyFingerprint() != null);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(dir.resolve("agent/state/agent-cert.pem")));
      String id = backend.queueCommand(agentId, "list", Map.of()).id();
      assertThat(backend.awaitCommand(id, Duration.ofSeconds(30)).state())
          .isEqualTo(CommandState.SUCCEEDED);
      // Not registered again, yet its new operations are known from its first heartbeat.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> backend.operator().showAgent(agentId).operations() != null);
      assertThat(backend.operator().showAgent(agentId).operations())
          .contains(new OperationCapability("set_autostart", 1));
      String set =
          backend
              .queueCommand(agentId, "set_autostart", Map.of("vm", "spare-01", "enabled", "true"))
              .id();
      assertThat(backend.awaitCommand(set, Duration.ofSeconds(30)).state())
          .isEqualTo(CommandState.SUCCEEDED);
      // Its first heartbeat named protocol 4, so it is told of cancel requests.
      String stop = E2e.leasedStopOfStubborn(backend, agentId, 600);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(dir.resolve("agent/state/journal").resolve(stop + ".json")));
      backend.operator().cancelCommand(stop);
      assertThat(backend.awaitCommand(stop, Duration.ofSeconds(60)).state())
          .isEqualTo(CommandState.CANCELLED);
      String log = Files.readString(dir.resolve("new.log"));
      assertThat(log).doesNotContain("registering with").contains("binding this agent's key");
      upgraded.kill();
    }
  }

  @Test
  void thisAgentWorksWithThePreviousBackend() throws Exception {
    Path data = dir.resolve("old-backend");
    Files.createDirectories(data);
    oldBackend =
        new ProcessBuilder(
                java(),
                "-jar",
                previous.resolve("vm-backend.jar").toString(),
                "serve",
                "--data-dir",
                data.toString(),
                "--listen",
                "127.0.0.1:0")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("old-backend.log").toFile())
            .start();
    await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(data.resolve("backend.url")));
    String token = oldCli("token", "create", "--data-dir", data.toString()).strip();
    Map<String, String> settings =
        E2e.agentSettings(backend(), dir.resolve("agent"), token, E2e.libvirtHost(dir));
    settings.put("AGENT_BACKEND_URL", Files.readString(data.resolve("backend.url")).strip());
    settings.put("AGENT_SSL_CA_PATH", data.resolve("tls/ca.pem").toString());
    // This agent names its Prometheus endpoint only to a backend of protocol 3 or newer: the
    // previous backend refuses members it does not know (HTTP 400, asserted absent below).
    settings.put("AGENT_PROMETHEUS_LISTEN", "127.0.0.1:" + freePort());
    // Event types of protocol 3, which the previous backend's schema refuses, among one it knows.
    Instant at = Instant.now();
    E2e.spoolEvents(
        dir.resolve("agent"),
        new VmLifecycleEvent("app-01", null, "rebooted", "reset", at),
        new VmLifecycleEvent("app-01", null, "suspended", "paused", at.plusMillis(1)),
        new VmLifecycleEvent("app-01", null, "unknown", "unknown", at.plusMillis(2)),
        new VmLifecycleEvent("app-01", null, "rebooted", "reset", at.plusMillis(3)));
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("agent.log"))) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> oldCli("agents", "list", "--data-dir", data.toString()).contains("online"));
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> agent.log().contains("lifecycle events of type other are not sent"));
      String log = Files.readString(dir.resolve("agent.log"));
      assertThat(log)
          .contains("registered as agent")
          .doesNotContain("HTTP 400")
          .doesNotContain("for good")
          .containsOnlyOnce("lifecycle events of type rebooted are not sent");
      assertThat(dir.resolve("agent/state/agent-key.pem"))
          .as("no key is made for a backend that cannot bind one")
          .doesNotExist();
      assertThat(oldCli("vms", "list", "--data-dir", data.toString()))
          .as("the previous backend's own spelling, from the previous protocol's heartbeat")
          .containsPattern("spare-01\\s.*\\sshutoff\\s");
      agent.kill();
    }
    assertThat(E2e.spooledEvents(dir.resolve("agent")))
        .as("the event the previous backend knows was delivered, the others left out")
        .isZero();
    assertThat(Files.readString(dir.resolve("old-backend.log"))).doesNotContain("ERROR");
  }

  /** A stand-in for {@link E2e#agentSettings}'s backend argument: only its URL and CA are read. */
  private RunningBackend backend() throws Exception {
    backend = E2e.backend(dir.resolve("unused-backend"), ClientAuth.OFF, 0, b -> b);
    return backend;
  }

  private String awaitOnline(String known) throws Exception {
    Path idFile = dir.resolve("agent/state/agent-id");
    await().atMost(Duration.ofSeconds(30)).until(() -> known != null || Files.exists(idFile));
    String agentId = known != null ? known : E2e.agentId(dir.resolve("agent"));
    return E2e.awaitFreshHeartbeat(backend, agentId);
  }

  private String oldCli(String... args) throws IOException, InterruptedException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(java(), "-jar", previous.resolve("vm-backend.jar").toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(60, TimeUnit.SECONDS);
    return out;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

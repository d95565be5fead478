package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.agent.Agent;
import io.vmagent.agent.backend.CredentialsStore;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.service.ApiException;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.ProtocolJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent (in this JVM) against the real backend over TLS on the libvirt test driver: it
 * registers, is seen online, runs every operation queued through the backend, outlives its
 * short-lived access tokens and restarts on its kept credentials. Runs in order on one backend.
 */
@TestMethodOrder(OrderAnnotation.class)
class AgentThroughBackendE2eTest {
  @TempDir static Path dir;
  static RunningBackend backend;
  static Map<String, String> settings;
  static Agent agent;
  static String agentId;
  static long startToOnlineMillis;

  @BeforeAll
  static void start() throws Exception {
    backend =
        E2e.backend(
            dir.resolve("backend"),
            ClientAuth.REQUIRED,
            0,
            b -> b.accessTokenTtl(Duration.ofSeconds(8)).latestAgentVersion("9.9.9"));
    String token = backend.createBootstrapToken(false, null);
    settings = E2e.agentSettings(backend, dir.resolve("agent"), token, E2e.libvirtHost(dir));
    long started = System.nanoTime();
    agent = new Agent(E2e.config(settings));
    agent.start();
    agentId = E2e.agentId(dir.resolve("agent"));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> online(agentId) && E2e.heartbeatSeen(backend, agentId));
    startToOnlineMillis = (System.nanoTime() - started) / 1_000_000;
    System.out.println(
        "FIGURE start to registered and first heartbeat (in-process): "
            + startToOnlineMillis
            + " ms");
  }

  @AfterAll
  static void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    E2e.close(backend);
  }

  @Test
  @Order(1)
  void registersIsSeenOnlineAndKeepsItsCredentialsPrivate() throws Exception {
    AgentStatus status = backend.operator().showAgent(agentId);

    assertThat(status.connectivity()).isEqualTo(Connectivity.ONLINE);
    assertThat(status.health()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(status.sslVerify()).isTrue();
    assertThat(status.capabilities())
        .contains(
            "start",
            "stop",
            "restart",
            "pause",
            "resume",
            "delete",
            "list",
            "info",
            "snapshot",
            "health_check",
            "collect_metrics",
            "agent_info");
    Path credentials = dir.resolve("agent/state").resolve(CredentialsStore.FILE_NAME);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(credentials)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(credentials)).doesNotContain(settings.get("AGENT_TOKEN"));
  }

  @Test
  @Order(2)
  void everyOperationQueuedThroughTheBackendRunsAndItsResultIsReadBack() throws Exception {
    List<Long> latencies = new ArrayList<>();
    JsonNode list = succeeded("list", Map.of(), latencies);
    assertThat(list.toString()).contains("app-01", "app-02", "spare-01");
    assertThat(succeeded("info", Map.of("vm", "app-01"), latencies).toString()).contains("app-01");
    assertThat(succeeded("pause", Map.of("vm", "app-01"), latencies).get("state_after").asText())
        .isEqualTo("paused");
    assertThat(succeeded("resume", Map.of("vm", "app-01"), latencies).get("state_after").asText())
        .isEqualTo("running");
    assertThat(
            succeeded("stop", Map.of("vm", "app-02", "force", "true"), latencies)
                .get("state_after")
                .asText())
        .isEqualTo("shut_off");
    assertThat(succeeded("start", Map.of("vm", "app-02"), latencies).get("state_after").asText())
        .isEqualTo("running");
    succeeded("restart", Map.of("vm", "app-01"), latencies);
    assertThat(
            succeeded(
                    "snapshot",
                    Map.of("vm", "app-01", "action", "create", "name", "e2e-1"),
                    latencies)
                .toString())
        .contains("e2e-1");
    assertThat(succeeded("health_check", Map.of(), latencies).get("healthy").asBoolean()).isTrue();
    assertThat(succeeded("collect_metrics", Map.of(), latencies).has("schema_version")).isTrue();
    JsonNode info = succeeded("agent_info", Map.of(), latencies);
    assertThat(info.get("config").get("AGENT_TOKEN").asText()).isEqualTo("***");
    assertThat(info.get("loops").toString()).contains("heartbeat", "command-poll", "metrics");
    assertThat(succeeded("delete", Map.of("vm", "spare-01"), latencies).get("state_after").asText())
        .isEqualTo("undefined");
    JsonNode created =
        succeeded(
            "create",
            Map.of(
                "vm", "new-01",
                "vcpus", "1",
                "memory_mib", "128",
                "disks", "pool=images,base=base.qcow2",
                "start", "true"),
            latencies);
    assertThat(created.get("operation").asText()).isEqualTo("create");
    assertThat(created.get("state_before").asText()).isEqualTo("undefined");
    assertThat(created.get("state_after").asText()).isEqualTo("running");
    assertThat(created.get("changed").asBoolean()).isTrue();
    assertThat(created.get("volumes").toString())
        .contains("/var/lib/vmagent-e2e/images/new-01-vda.qcow2");
    assertThat(succeeded("info", Map.of("vm", "new-01"), latencies).toString())
        .contains("new-01-vda.qcow2");
    String xml =
        "<domain type='test'><name>defined-01</name><memory unit='MiB'>64</memory>"
            + "<os><type>hvm</type></os><devices><disk type='file' device='disk'>"
            + "<source file='/var/lib/vmagent-e2e/images/base.qcow2'/><target dev='vda'/>"
            + "</disk></devices></domain>";
    JsonNode defined = succeeded("define", Map.of("xml", xml), latencies);
    assertThat(defined.get("state_after").asText()).isEqualTo("shut_off");
    assertThat(defined.get("changed").asBoolean()).isTrue();
    // A domain XML of the size operators write (20 KiB here) is more than the 4,096 characters
    // other operations' parameters may take: define takes it through the backend.
    String large =
        xml.replace("defined-01", "defined-03")
            .replace("<memory", "<description>" + "d".repeat(20 * 1024) + "</description><memory");
    assertThat(succeeded("define", Map.of("xml", large), latencies).get("changed").asBoolean())
        .isTrue();
    String shadow =
        xml.replace("defined-01", "defined-02")
            .replace("/var/lib/vmagent-e2e/images/base.qcow2", "/etc/shadow");
    CommandView refused =
        finished(backend.queueCommand(agentId, "define", Map.of("xml", shadow)).id());
    assertThat(refused.state()).isEqualTo(CommandState.FAILED);
    assertThat(refused.result().error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(refused.result().error().message()).contains("<domain/devices/disk/source>");
    latencies.sort(null);
    System.out.println(
        "FIGURE command round trip (queued to result stored), ms, sorted: " + latencies);
  }

  @Test
  @Order(3)
  void unknownOperationsAndBadParametersGetClearErrorsAndChangeNothing() throws Exception {
    // An operation the agent does not advertise is refused when it is queued: nothing reaches it.
    assertThatThrownBy(() -> backend.queueCommand(agentId, "format_host", Map.of()))
        .isInstanceOfSatisfying(
            ApiException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.UNSUPPORTED_OPERATION))
        .hasMessageContaining("does not run 'format_host'");
    CommandView bad =
        finished(
            backend.queueCommand(agentId, "pause", Map.of("vm", "app-02", "colour", "red")).id());

    assertThat(bad.result().error().code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(bad.result().error().message()).contains("colour");
    assertThat(succeeded("info", Map.of("vm", "app-02"), new ArrayList<>()).toString())
        .contains("running");
  }

  @Test
  @Order(4)
  void outlivesItsAccessTokensByRefreshingThemWithoutRegisteringAgain() throws Exception {
    revokeBootstrapTokens(); // from now on, registering again would fail
    CredentialsStore store = new CredentialsStore(dir.resolve("agent/state"));
    String first = store.load().orElseThrow().accessToken();

    Thread.sleep(9_000); // longer than the 8 s access-token lifetime

    assertThat(store.load().orElseThrow().accessToken()).isNotEqualTo(first);
    succeeded("list", Map.of(), new ArrayList<>());
    assertThat(online(agentId)).isTrue();
  }

  @Test
  @Order(5)
  void restartReusesTheKeptCredentials() throws Exception {
    agent.shutdown();
    agent = new Agent(E2e.config(settings));
    agent.start();

    assertThat(E2e.agentId(dir.resolve("agent"))).isEqualTo(agentId);
    succeeded("list", Map.of(), new ArrayList<>());
    assertThat(backend.operator().listAgents()).hasSize(1);
  }

  @Test
  @Order(6)
  void reportsTheNewestAgentVersionTheBackendAnnounces() {
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> "9.9.9".equals(backend.operator().showAgent(agentId).newestKnownVersion()));
  }

  private static boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYetRegistered) {
      return false;
    }
  }

  private static void revokeBootstrapTokens() throws Exception {
    for (BootstrapTokenInfo token : backend.operator().listBootstrapTokens()) {
      backend.operator().revokeBootstrapToken(token.id());
    }
  }

  private static JsonNode succeeded(
      String operation, Map<String, String> params, List<Long> latencies) throws Exception {
    long start = System.nanoTime();
    CommandView queued = backend.queueCommand(agentId, operation, params);
    CommandView done = finished(queued.id());
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(done.state())
        .as("%s %s: %s", operation, params, ProtocolJson.tolerantMapper().writeValueAsString(done))
        .isEqualTo(CommandState.SUCCEEDED);
    latencies.add(millis);
    return done.result().result();
  }

  private static CommandView finished(String commandId) throws Exception {
    CommandView view = backend.awaitCommand(commandId, Duration.ofSeconds(20));
    assertThat(view.state())
        .as("command %s finished", commandId)
        .isIn(CommandState.SUCCEEDED, CommandState.FAILED);
    return view;
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import io.vmagent.protocol.AgentList;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.VmSummary;
import io.vmagent.protocol.VmView;
import io.vmagent.protocol.text.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The operator command line against a running backend, by data directory and by URL. */
class CliTest extends CliAgainstBackend {
  private TestAgent registerThroughTheCli() {
    assertThat(cli("token", "create", "--data-dir", data(), "--single-use", "--expires-in", "1h"))
        .isZero();
    String token = out.trim();
    assertThat(token).startsWith("vmb_");
    assertThat(err).contains("single use");
    TestAgent agent = new TestAgent(client, "host-a");
    agent.register(token);
    client
        .post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(new VmSummary("web-1", null, "shutoff"))))
        .as(HeartbeatResponse.class);
    return agent;
  }

  @Test
  void tokenAgentsAndVmsCommandsShowTheFleet() {
    registerThroughTheCli();

    assertThat(cli("agents", "list", "--data-dir", data())).isZero();
    assertThat(out).contains("STATUS").contains("host-a").contains("online").contains("healthy");

    assertThat(cli("vms", "list", "--data-dir", data(), "--agent", "host-a")).isZero();
    assertThat(out).contains("web-1").contains("shut_off");

    assertThat(cli("token", "list", "--data-dir", data())).isZero();
    assertThat(out).contains("host-a").doesNotContain("vmb_");

    assertThat(cli("agents", "show", "host-a", "--data-dir", data())).isZero();
    assertThat(out).contains("\"agent_id\" : \"host-a\"");

    assertThat(cli("agents", "revoke", "host-a", "--data-dir", data())).isZero();
    assertThat(cli("agents", "list", "--data-dir", data(), "--json")).isZero();
    assertThat(out).contains("\"connectivity\" : \"revoked\"");
    assertThat(cli("vms", "list", "--data-dir", data(), "--agent", "host-a")).isZero();
    assertThat(out).containsPattern("web-1 .* shut_off\\? \\(agent revoked; reported \\d+s ago\\)");
  }

  @Test
  void aDegradedAgentIsListedWithWhatItsReasonsAreAboutAndShownWithThemInFull() {
    TestAgent agent = registerThroughTheCli();
    String full =
        "disk_space_low: /var/lib/vm-agent has 3.1% free, 3.1 GiB of 100.0 GiB (threshold 5%)";
    client
        .post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.judgedHeartbeat(
                HealthStatus.DEGRADED,
                List.of(
                    full,
                    "disk_space_low: storage pool default has 1.0% free, 1.0 GiB of 100.0 GiB"
                        + " (threshold 5%)",
                    "load_high: 5-minute load 9.20 on 4 cores is 2.30 per core (threshold 2)")))
        .as(HeartbeatResponse.class);

    assertThat(cli("agents", "list", "--data-dir", data())).isZero();
    assertThat(out).contains("degraded: disk_space_low, load_high");
    assertThat(cli("agents", "show", "host-a", "--data-dir", data())).isZero();
    assertThat(out).contains("\"health\" : \"degraded\"").contains(full);
  }

  @Test
  void opWaitPrintsTheResultAndExitsByItsOutcome() throws Exception {
    TestAgent agent = registerThroughTheCli();
    CompletableFuture<Void> agentLoop =
        CompletableFuture.runAsync(
            () -> {
              CommandBatch first = agent.poll(15);
              agent.succeed(first.commands().get(0), "running");
              CommandBatch second = agent.poll(15);
              Command failing = second.commands().get(0);
              Instant now = Instant.now();
              agent.submit(
                  CommandResult.failed(
                      failing.id(),
                      new CommandError(ErrorCode.VM_NOT_FOUND, "no web-9"),
                      now,
                      now));
            });

    assertThat(
            cli(
                "op",
                "start",
                "web-1",
                "--agent",
                "host-a",
                "--param",
                "mode=normal",
                "--wait",
                "--timeout",
                "20s",
                "--data-dir",
                data()))
        .as(err)
        .isZero();
    assertThat(out).contains("\"state\" : \"succeeded\"").contains("\"running\"").contains("mode");

    assertThat(
            cli(
                "op",
                "stop",
                "web-9",
                "--agent",
                "host-a",
                "--wait",
                "--timeout",
                "20s",
                "--data-dir",
                data()))
        .isEqualTo(4);
    assertThat(err).contains("VM_NOT_FOUND");
    agentLoop.get(10, TimeUnit.SECONDS);
  }

  @Test
  void opWaitThatRunsOutSaysWhyAndHowToFollowTheCommand() throws Exception {
    TestAgent agent = registerThroughTheCli();
    agent.stoppingHeartbeat();

    assertThat(
            cli(
                "op",
                "pause",
                "web-1",
                "--agent",
                "host-a",
                "--wait",
                "--timeout",
                "1s",
                "--data-dir",
                data()))
        .isEqualTo(4);
    assertThat(err)
        .contains("is queued after 1s: agent host-a is offline (last heartbeat 20")
        .contains("before its deadline")
        .contains("vm-backend commands show ");

    agent.heartbeat();
    assertThat(
            cli(
                "op",
                "pause",
                "web-2",
                "--agent",
                "host-a",
                "--wait",
                "--timeout",
                "1s",
                "--data-dir",
                data()))
        .isEqualTo(4);
    assertThat(err).contains("agent host-a is online but has not asked for it yet");
  }

  @Test
  void commandsAreListedShownAndCancelled() throws Exception {
    registerThroughTheCli();
    assertThat(cli("op", "pause", "web-1", "--agent", "host-a", "--data-dir", data())).isZero();
    String paused = out.strip();
    assertThat(cli("op", "delete", "web-2", "--agent", "host-a", "--data-dir", data())).isZero();
    String deleting = out.strip();

    assertThat(cli("commands", "cancel", deleting, "--data-dir", data())).as(err).isZero();
    assertThat(out).contains("\"state\" : \"cancelled\"");
    assertThat(cli("commands", "list", "--data-dir", data())).as(err).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines.get(0)).startsWith("ID").contains("OPERATION").contains("STATE");
    assertThat(lines.get(1))
        .startsWith(deleting)
        .contains("delete")
        .contains("web-2")
        .contains("cancelled");
    assertThat(lines.get(2)).startsWith(paused).contains("pause").contains("queued");
    assertThat(cli("commands", "list", "--vm", "web-1", "--json", "--data-dir", data())).isZero();
    assertThat(out).contains(paused).doesNotContain(deleting);
    assertThat(cli("commands", "show", paused, "--data-dir", data())).isZero();
    assertThat(out).contains("\"operation\" : \"pause\"");

    assertThat(cli("events", "list", "--data-dir", data())).as(err).isZero();
    assertThat(out.lines().findFirst().orElseThrow()).startsWith("TIME").contains("EVENT");
    assertThat(cli("events", "list", "--since", "yesterday", "--data-dir", data())).isEqualTo(2);

    assertThat(cli("commands", "list", "--limit", "0", "--data-dir", data())).isEqualTo(2);
    assertThat(err).contains("--limit");
    assertThat(cli("commands", "list", "--state", "sleeping", "--data-dir", data())).isEqualTo(3);
    assertThat(err).contains("sleeping");
  }

  @Test
  void namesWithControlCharactersArePrintedEscapedAndExactInJson() throws Exception {
    String forged = "web\u001b]0;PWNED\u0007\u001b[31mRED\u001b[0m\rFAKE\nagent-Z  evil  online";
    String token = backend.createBootstrapToken(false, null);
    RegisterRequest identity = TestAgent.identity("host-z", null);
    RegisterResponse registered =
        client
            .post(
                ProtocolPaths.REGISTER,
                token,
                new RegisterRequest(
                    "host-z",
                    forged,
                    "host\u202e\u0085z",
                    identity.agentVersion(),
                    identity.libvirtUri(),
                    identity.hypervisor(),
                    identity.capabilities(),
                    null))
            .as(RegisterResponse.class);
    client
        .post(
            ProtocolPaths.heartbeat("host-z"),
            registered.accessToken(),
            TestAgent.healthyHeartbeat(List.of(new VmSummary(forged, null, "running"))))
        .as(HeartbeatResponse.class);

    // PostgreSQL cannot store NUL, so it is refused on every database rather than shown as \0.
    ContractClient.Answer nulName =
        client.post(
            ProtocolPaths.REGISTER,
            token,
            new RegisterRequest(
                "host-n",
                "a\u0000b",
                "host-n",
                identity.agentVersion(),
                identity.libvirtUri(),
                null,
                identity.capabilities(),
                null));
    assertThat(nulName.status()).isEqualTo(400);
    assertThat(nulName.problem().detail()).contains("NUL");
    ContractClient.Answer nulVm =
        client.post(
            ProtocolPaths.heartbeat("host-z"),
            registered.accessToken(),
            TestAgent.healthyHeartbeat(List.of(new VmSummary("vm\u0000hidden", null, "running"))));
    assertThat(nulVm.status()).isEqualTo(400);

    assertThat(cli("agents", "list", "--data-dir", data())).as(err).isZero();
    assertPrintable(out);
    assertThat(out.lines()).hasSize(2);
    assertThat(out)
        .contains(
            "web\\e]0;PWNED\\x07\\e[31mRED\\e[0m\\r"
                + "FAKE\\n"
                + "agent-Z  evil  online  host\\u202e\\x85z");

    assertThat(cli("vms", "list", "--data-dir", data())).as(err).isZero();
    assertPrintable(out);
    assertThat(out.lines()).hasSize(2);
    assertThat(out).contains(Printable.escape(forged)).doesNotContain("hidden");

    assertThat(cli("agents", "list", "--data-dir", data(), "--json")).isZero();
    assertPrintable(out);
    List<AgentStatus> agents =
        ContractClient.JSON.readValue(out, new TypeReference<List<AgentStatus>>() {});
    assertThat(agents).extracting(AgentStatus::name).containsExactly(forged);
    assertThat(agents).extracting(AgentStatus::hostname).containsExactly("host\u202e\u0085z");

    assertThat(cli("vms", "list", "--data-dir", data(), "--json")).isZero();
    List<VmView> vms = ContractClient.JSON.readValue(out, new TypeReference<List<VmView>>() {});
    assertThat(vms).extracting(VmView::name).containsExactly(forged);
  }

  /** Nothing a terminal would act on: no control, bidi or separator character but line ends. */
  private static void assertPrintable(String printed) {
    assertThat(printed.codePoints().filter(c -> c != '\n' && Printable.unsafe(c)))
        .as("raw control characters in %s", printed)
        .isEmpty();
  }

  @Test
  void agentsListPagesThroughTheWholeFleet() throws Exception {
    int fleet = AgentList.MAX_PAGE + 150;
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO agents (agent_id, name, hostname, agent_version, libvirt_uri,"
                    + " capabilities_json, heartbeat_interval_seconds, registered_at)"
                    + " VALUES (?, ?, ?, '0.1.0', 'test:///default', '[]', 30, ?)")) {
      for (int i = 0; i < fleet; i++) {
        String id = String.format("host-%04d", i);
        s.setString(1, id);
        s.setString(2, "agent " + id);
        s.setString(3, id + ".example.net");
        s.setObject(4, OffsetDateTime.now(ZoneOffset.UTC));
        s.addBatch();
      }
      s.executeBatch();
    }

    assertThat(cli("agents", "list", "--data-dir", data())).as(err).isZero();
    List<String> lines = out.lines().toList();
    assertThat(lines).hasSize(fleet + 1);
    assertThat(lines.get(fleet)).startsWith(String.format("host-%04d", fleet - 1));

    assertThat(cli("agents", "list", "--json", "--data-dir", data())).isZero();
    assertThat(ContractClient.JSON.readValue(out, new TypeReference<List<AgentStatus>>() {}))
        .hasSize(fleet);
  }

  @Test
  void urlModeUsesTheCaAndTheOperatorTokenFile() throws Exception {
    Path tokenFile = dir.resolve("operator-token");
    Files.writeString(tokenFile, backend.operatorToken());
    assertThat(
            cli(
                "agents",
                "list",
                "--url",
                backend.baseUrl().toString(),
                "--ca",
                backend.caCertificatePath().toString(),
                "--operator-token-file",
                tokenFile.toString()))
        .as(err)
        .isZero();
    assertThat(out).startsWith("ID");

    Files.writeString(tokenFile, "vmo_wrong-token-of-some-length");
    assertThat(
            cli(
                "agents",
                "list",
                "--url",
                backend.baseUrl().toString(),
                "--ca",
                backend.caCertificatePath().toString(),
                "--operator-token-file",
                tokenFile.toString()))
        .isEqualTo(3);
    assertThat(err).contains("401").doesNotContain("vmo_wrong");
  }

  @Test
  void mistakesGetAClearMessageAndAnExitStatus() {
    assertThat(cli("op", "start", "web-1", "--data-dir", data())).isEqualTo(2);
    assertThat(err).contains("--agent");

    assertThat(cli("agents", "list", "--data-dir", dir.resolve("nothing-here").toString()))
        .isEqualTo(3);
    assertThat(err).contains("no backend is running");

    assertThat(cli("op", "start", "web-1", "--agent", "ghost", "--data-dir", data())).isEqualTo(3);
    assertThat(err).contains("NOT_FOUND");

    assertThat(cli("token", "create", "--expires-in", "soon", "--data-dir", data())).isEqualTo(2);
    assertThat(err).contains("not a duration");

    assertThat(
            cli(
                "op",
                "start",
                "web-1",
                "--agent",
                "host-a",
                "--deadline",
                "1193047h",
                "--data-dir",
                data()))
        .isEqualTo(2);
    assertThat(err).contains("--deadline").contains("out of range: use 1s to 1d");
    assertThat(cli("token", "create", "--expires-in", "400d", "--data-dir", data())).isEqualTo(2);
    assertThat(err).contains("out of range");
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.cli.Main;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.VmSummary;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator command line against a running backend, by data directory and by URL. */
class CliTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private ContractClient client;
  private String out;
  private String err;

  @BeforeEach
  void start() throws Exception {
    backend =
        VmBackend.builder()
            .dataDir(dir.resolve("data"))
            .listen("127.0.0.1", 0)
            .pollRecheckInterval(java.time.Duration.ofMillis(200))
            .build()
            .start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    assertThat(client.violations()).isEmpty();
  }

  private int cli(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int status = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return status;
  }

  private String data() {
    return dir.resolve("data").toString();
  }

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
    assertThat(out).contains("web-1").contains("shutoff");

    assertThat(cli("token", "list", "--data-dir", data())).isZero();
    assertThat(out).contains("host-a").doesNotContain("vmb_");

    assertThat(cli("agents", "show", "host-a", "--data-dir", data())).isZero();
    assertThat(out).contains("\"agent_id\" : \"host-a\"");

    assertThat(cli("agents", "revoke", "host-a", "--data-dir", data())).isZero();
    assertThat(cli("agents", "list", "--data-dir", data(), "--json")).isZero();
    assertThat(out).contains("\"connectivity\" : \"revoked\"");
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
  }
}

package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.cli.Main;
import io.vmagent.testing.AgentProcess;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vm-backend agents drain} between two real agent processes, each on its own private libvirt
 * daemon ({@code VMAGENT_SYSTEM_LIBVIRT_URI}, {@code VMAGENT_SYSTEM_LIBVIRT_URI_B}): three small
 * running VMs move from the first host to the second one after the other, each move is reported,
 * and the first host ends empty. Skipped without the two daemons.
 */
class BackendDrainFaultTest {
  private static final List<String> VMS =
      List.of("vmagent-test-drain-1", "vmagent-test-drain-2", "vmagent-test-drain-3");

  @TempDir Path dir;
  RunningBackend backend;
  AgentProcess sourceAgent;
  AgentProcess destinationAgent;
  TwoHypervisors hosts;

  @AfterEach
  void stop() throws Exception {
    for (AgentProcess agent : new AgentProcess[] {sourceAgent, destinationAgent}) {
      if (agent != null) {
        agent.close();
      }
    }
    Harness.stop(backend);
    if (hosts != null) {
      hosts.close();
    }
  }

  @Test
  void threeRunningVmsMoveOffADrainedHost() throws Exception {
    hosts = TwoHypervisors.open(VMS.toArray(String[]::new));
    for (String vm : VMS) {
      hosts.startDisklessOnSource(vm);
    }
    backend = Harness.backend(dir.resolve("backend"), Harness.freePort(), b -> b);
    String token = backend.createBootstrapToken(false, null);
    sourceAgent = agent("source", hosts.sourceUri, token, Map.of());
    destinationAgent =
        agent(
            "destination",
            hosts.destinationUri,
            token,
            Map.of(
                "AGENT_MIGRATION_URI",
                hosts.destinationUri,
                "AGENT_MIGRATION_STREAM_URI",
                "unix://" + dir.resolve("stream.sock")));
    String sourceId = Harness.agentId(dir.resolve("source"));
    String destinationId = Harness.agentId(dir.resolve("destination"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                backend.operator().listVms(sourceId).stream()
                        .filter(vm -> "running".equals(vm.state()))
                        .count()
                    == VMS.size());

    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    long started = System.nanoTime();
    int exit =
        Main.run(
            new PrintWriter(out, true),
            new PrintWriter(err, true),
            "agents",
            "drain",
            sourceId,
            "--to",
            destinationId,
            "--wait",
            "--timeout",
            "5m",
            "--data-dir",
            dir.resolve("backend").toString());
    long millis = (System.nanoTime() - started) / 1_000_000;

    assertThat(exit).as(out + "\n" + err).isZero();
    for (String vm : VMS) {
      assertThat(out.toString())
          .containsPattern("VM " + vm + " succeeded \\(to " + destinationId + "\\) migration ");
      assertThat(hosts.state(hosts.destination, vm)).isEqualTo("running");
      assertThat(hosts.state(hosts.source, vm)).isEqualTo("absent");
    }
    assertThat(out.toString()).contains("3 of 3 VM(s) moved");
    assertThat(hosts.source.listDomains()).isEmpty();
    assertThat(hosts.source.listDefinedDomains()).isEmpty();
    // The host is empty and the drain stays on until it is ended.
    assertThat(backend.operator().drain(sourceId).done()).isTrue();
    assertThat(backend.operator().endDrain(sourceId).moves()).hasSize(3);
    Figures.record(
        "drain through the backend",
        "three 32 MiB diskless TCG guests, one at a time: "
            + millis
            + " ms from 'agents drain --wait' to the last recorded holder");
  }

  private AgentProcess agent(String name, String uri, String token, Map<String, String> extra)
      throws Exception {
    Map<String, String> settings =
        Harness.agentSettings(
            backend.baseUrl(), backend.caCertificatePath(), dir.resolve(name), name, token, uri);
    settings.putAll(extra);
    AgentProcess agent = AgentProcess.start(settings, dir.resolve(name + ".log"));
    Harness.awaitRunning(agent, dir.resolve(name));
    return agent;
  }
}

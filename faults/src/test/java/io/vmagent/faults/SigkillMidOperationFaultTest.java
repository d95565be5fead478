package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.testing.AgentProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent process is SIGKILLed the moment it receives a command, once for every operation type,
 * and started again. Wherever the kill lands (before the journal entry, between start and finish,
 * after finishing but before delivery) every command must end with exactly one result and must have
 * started at most once across both processes: the journal, not luck, decides. About two minutes: in
 * the long profile.
 */
@Tag("faults-long")
class SigkillMidOperationFaultTest {
  static final Map<String, Map<String, String>> OPERATIONS = new LinkedHashMap<>();

  static {
    OPERATIONS.put("pause", Map.of("vm", "test"));
    OPERATIONS.put("resume", Map.of("vm", "test"));
    OPERATIONS.put("stop", Map.of("vm", "test", "force", "true"));
    OPERATIONS.put("start", Map.of("vm", "test"));
    OPERATIONS.put("restart", Map.of("vm", "test"));
    OPERATIONS.put("snapshot", Map.of("vm", "test", "action", "create", "name", "s1"));
    OPERATIONS.put(
        "create",
        Map.of(
            "vm",
            "sigkill-new",
            "vcpus",
            "1",
            "memory_mib",
            "64",
            "disks",
            "pool=default-pool,size=16"));
    OPERATIONS.put("delete", Map.of("vm", "test"));
    OPERATIONS.put("info", Map.of("vm", "test"));
    OPERATIONS.put("list", Map.of());
    OPERATIONS.put("health_check", Map.of());
    OPERATIONS.put("collect_metrics", Map.of());
  }

  @TempDir Path dir;
  RunningBackend backend;
  AgentProcess agent;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    Harness.stop(backend);
  }

  @Test
  void everyOperationTypeEndsWithOneResultAndStartsAtMostOnceWhenTheAgentIsKilled()
      throws Exception {
    backend =
        Harness.backend(dir.resolve("backend"), 0, b -> b.leaseDuration(Duration.ofSeconds(4)));
    Map<String, String> settings =
        Harness.agentSettings(
            backend.baseUrl(),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "sigkill",
            backend.createBootstrapToken(false, null),
            "test:///default");
    Path log = dir.resolve("agent.log");
    agent = AgentProcess.start(settings, log);
    String id = Harness.awaitRunning(agent, dir.resolve("agent"));

    List<String> outcomes = new ArrayList<>();
    Map<String, Integer> landed = new LinkedHashMap<>();
    for (Map.Entry<String, Map<String, String>> op : OPERATIONS.entrySet()) {
      CommandView queued = backend.queueCommand(id, op.getKey(), op.getValue());
      String received = "command " + queued.id() + " received";
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(2))
          .until(() -> agent.log().contains(received));
      agent.kill();
      String where = journalState(queued.id());
      landed.merge(where, 1, Integer::sum);
      agent = AgentProcess.start(settings, log);
      CommandView done = backend.awaitCommand(queued.id(), Duration.ofSeconds(60));
      assertThat(done.state())
          .as("%s after a kill %s", op.getKey(), where)
          .isIn(CommandState.SUCCEEDED, CommandState.FAILED);
      long starts = countMatches(agent.log(), "command " + queued.id() + " (" + op.getKey());
      assertThat(starts).as("%s started at most once", op.getKey()).isLessThanOrEqualTo(1);
      if (where.equals("started, not finished")) {
        assertThat(done.state()).isEqualTo(CommandState.FAILED);
        assertThat(done.result().error().message()).contains("not run again");
      } else {
        assertThat(done.state())
            .as("%s: %s", op.getKey(), done.result())
            .isEqualTo(CommandState.SUCCEEDED);
      }
      outcomes.add(
          op.getKey()
              + ": kill "
              + where
              + " -> "
              + done.state()
              + ", delivery "
              + done.deliveries()
              + ", started "
              + starts
              + "x");
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> agent.log().split("heartbeat sent", -1).length > 1);
    }
    Figures.record(
        "SIGKILL mid-operation",
        OPERATIONS.size()
            + " operation types, agent killed on receipt of each: "
            + landed
            + "; "
            + String.join("; ", outcomes));
  }

  private String journalState(String commandId) throws Exception {
    Path entry = dir.resolve("agent/state/journal/" + commandId + ".json");
    if (!Files.exists(entry)) {
      return "before the journal entry";
    }
    JsonNode json = Api.JSON.readTree(Files.readAllBytes(entry));
    if (!json.hasNonNull("result")) {
      return "started, not finished";
    }
    return json.path("delivered").asBoolean() ? "after delivery" : "finished, not delivered";
  }

  private static long countMatches(String text, String fragment) {
    Matcher m = Pattern.compile(Pattern.quote(fragment) + "[^\\n]*\\) started").matcher(text);
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}

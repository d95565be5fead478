package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Prometheus service discovery over real TLS: the agents' endpoints as their heartbeats name them,
 * answered only to the operator, in the schema of the OpenAPI document (checked by the contract
 * client) and loaded by a real Prometheus server when Debian's prometheus package is installed.
 */
class PrometheusDiscoveryTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private ContractClient client;
  private Process prometheus;

  @BeforeEach
  void start() throws Exception {
    backend =
        VmBackend.builder().dataDir(dir.resolve("data")).listen("127.0.0.1", 0).build().start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void stop() throws Exception {
    if (prometheus != null) {
      prometheus.destroy();
      if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
        prometheus.destroyForcibly();
      }
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void listsEachReachableAgentEndpointWithItsLabels() {
    heartbeat("all-addresses", "0.0.0.0:9177");
    heartbeat("one-address", "192.0.2.7:9100");
    heartbeat("loopback-only", "127.0.0.1:9177");
    heartbeat("no-endpoint", null);
    heartbeat("revoked", "192.0.2.8:9177");
    client.post(ProtocolPaths.operatorAgentRevoke("revoked"), operator(), null).as(JsonNode.class);

    JsonNode groups =
        client.get(ProtocolPaths.OPERATOR_PROMETHEUS_TARGETS, operator()).as(JsonNode.class);

    assertThat(groups.toString())
        .isEqualTo(
            "[{\"targets\":[\"all-addresses.example.net:9177\"],\"labels\":{"
                + labels("all-addresses")
                + "}},{\"targets\":[\"192.0.2.7:9100\"],\"labels\":{"
                + labels("one-address")
                + "}}]");
  }

  @Test
  void discoveryNeedsTheOperatorToken() {
    TestAgent agent = heartbeat("host-a", "0.0.0.0:9177");

    assertThat(client.get(ProtocolPaths.OPERATOR_PROMETHEUS_TARGETS, null).problem().code())
        .isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(
            client
                .get(ProtocolPaths.OPERATOR_PROMETHEUS_TARGETS, agent.accessToken)
                .problem()
                .code())
        .isEqualTo(ErrorCode.FORBIDDEN);
  }

  @Test
  void heartbeatWithAMalformedEndpointIsRefused() {
    TestAgent agent = register("host-b");
    HeartbeatRequest bad = TestAgent.healthyHeartbeat(null).withPrometheusEndpoint("host b:x\n");

    assertThat(
            client
                .raw(
                    "POST",
                    ProtocolPaths.heartbeat("host-b"),
                    agent.accessToken,
                    "application/json",
                    json(bad))
                .problem()
                .code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  void aRealPrometheusLoadsTheTargets() throws Exception {
    Path binary = Path.of("/usr/bin/prometheus");
    Assumptions.assumeTrue(
        Files.isExecutable(binary), "Debian's prometheus package is not installed");
    heartbeat("all-addresses", "0.0.0.0:9177");
    Path token = dir.resolve("operator.token");
    Files.writeString(token, backend.operatorToken(), StandardCharsets.UTF_8);
    int port = freePort();
    Path config = dir.resolve("prometheus.yml");
    // The snippet of docs/install.md, with this backend's address and files. Prometheus 2.42
    // sends the credentials without a scheme unless the type is named.
    Files.writeString(
        config,
        String.join(
            "\n",
            "scrape_configs:",
            "  - job_name: vm-agent",
            "    http_sd_configs:",
            "      - url: " + backend.baseUrl() + ProtocolPaths.OPERATOR_PROMETHEUS_TARGETS,
            "        refresh_interval: 1s",
            "        authorization:",
            "          type: Bearer",
            "          credentials_file: " + token,
            "        tls_config:",
            "          ca_file: " + backend.caCertificatePath(),
            ""),
        StandardCharsets.UTF_8);
    prometheus =
        new ProcessBuilder(
                binary.toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("tsdb"),
                "--web.listen-address=127.0.0.1:" + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("prometheus.log").toFile())
            .start();
    HttpClient http = HttpClient.newHttpClient();
    URI targets = URI.create("http://127.0.0.1:" + port + "/api/v1/targets");
    List<JsonNode> active = new ArrayList<>();
    Path log = dir.resolve("prometheus.log");
    try {
      await()
          .atMost(60, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                String body =
                    http.send(
                            HttpRequest.newBuilder(targets).build(),
                            HttpResponse.BodyHandlers.ofString())
                        .body();
                active.clear();
                ContractClient.JSON.readTree(body).at("/data/activeTargets").forEach(active::add);
                return !active.isEmpty();
              });
    } catch (ConditionTimeoutException e) {
      throw new AssertionError("Prometheus found no target; its log:\n" + readQuietly(log), e);
    }

    JsonNode target = active.get(0);
    assertThat(target.at("/labels/instance").asText()).isEqualTo("all-addresses.example.net:9177");
    assertThat(target.at("/labels/agent_id").asText()).isEqualTo("all-addresses");
    assertThat(target.at("/labels/agent_name").asText()).isEqualTo("agent all-addresses");
    assertThat(target.at("/labels/host").asText()).isEqualTo("all-addresses.example.net");
  }

  private TestAgent register(String agentId) {
    TestAgent agent = new TestAgent(client, agentId);
    agent.register(backend.createBootstrapToken(true, Duration.ofMinutes(5)));
    return agent;
  }

  private TestAgent heartbeat(String agentId, String endpoint) {
    TestAgent agent = register(agentId);
    client
        .post(
            ProtocolPaths.heartbeat(agentId),
            agent.accessToken,
            TestAgent.healthyHeartbeat(null).withPrometheusEndpoint(endpoint))
        .as(HeartbeatResponse.class);
    return agent;
  }

  private String operator() {
    return backend.operatorToken();
  }

  private static String labels(String agentId) {
    return "\"agent_id\":\""
        + agentId
        + "\",\"agent_name\":\"agent "
        + agentId
        + "\",\"host\":\""
        + agentId
        + ".example.net\"";
  }

  private static String json(Object value) {
    try {
      return ContractClient.WRITER.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.testing.AgentProcess;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's Prometheus endpoint found through the backend's service discovery: the real daemon
 * names it in its heartbeats, the backend lists it under the agent's host name, and the listed
 * endpoint answers.
 */
class PrometheusDiscoveryE2eTest {
  @TempDir Path dir;
  private RunningBackend backend;

  @AfterEach
  void stop() throws Exception {
    E2e.close(backend);
  }

  @Test
  void theAgentsEndpointIsListedForPrometheusAndAnswers() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.OPTIONAL, 0, b -> b);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            E2e.libvirtHost(dir));
    int port = freePort();
    settings.put("AGENT_PROMETHEUS_LISTEN", "0.0.0.0:" + port);
    HttpClient http =
        HttpClient.newBuilder()
            .sslContext(TlsTrust.trusting(backend.caCertificatePath()))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    HttpRequest discovery =
        HttpRequest.newBuilder(
                URI.create(backend.baseUrl() + ProtocolPaths.OPERATOR_PROMETHEUS_TARGETS))
            .header("Authorization", "Bearer " + backend.operatorToken())
            .build();
    ObjectMapper json = new ObjectMapper();
    try (AgentProcess agent = AgentProcess.start(settings, dir.resolve("agent.log"))) {
      JsonNode[] group = new JsonNode[1];
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                JsonNode groups =
                    json.readTree(
                        http.send(discovery, HttpResponse.BodyHandlers.ofString()).body());
                group[0] = groups.size() == 1 ? groups.get(0) : null;
                return group[0] != null;
              });
      String agentId = E2e.agentId(dir.resolve("agent"));
      String host = backend.operator().showAgent(agentId).hostname();

      assertThat(group[0].at("/targets/0").asText()).isEqualTo(host + ":" + port);
      assertThat(group[0].at("/labels/agent_id").asText()).isEqualTo(agentId);
      assertThat(group[0].at("/labels/agent_name").asText()).isEqualTo("e2e-agent");
      assertThat(group[0].at("/labels/host").asText()).isEqualTo(host);
      HttpResponse<String> scrape =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).contains("vmagent_");
      agent.kill();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend's own {@code /metrics} over real TLS: open to this host, the operator token needed
 * from elsewhere, requests labelled by route template, and the exposition accepted by {@code
 * promtool check metrics} (Debian's prometheus package; the Prometheus Python client's parser when
 * it is not installed).
 */
class BackendMetricsTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private ContractClient client;

  @BeforeEach
  void start() throws Exception {
    backend =
        VmBackend.builder()
            .dataDir(dir.resolve("data"))
            .listen("0.0.0.0", 0)
            .commandsRetention(Duration.ofSeconds(10))
            .build()
            .start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void metricsNameRoutesByTemplateAndPassPromtool() throws Exception {
    TestAgent agent = new TestAgent(client, "metrics-1");
    agent.register(backend.createBootstrapToken(true, Duration.ofMinutes(5)));
    agent.heartbeat();
    client.raw("GET", "/api/v1/agents/metrics-1/nothing-here", null, null, null);
    backend.queueCommand("metrics-1", "start", Map.of("vm", "test"));

    RawHttps local = new RawHttps(backend.baseUrl(), backend.caCertificatePath(), "127.0.0.1");
    await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () ->
                local
                    .send("GET", ProtocolPaths.BACKEND_METRICS, null, null)
                    .body()
                    .contains("vm_backend_retention_pruned_rows_total{kind="));
    RawHttps.Answer answer = local.send("GET", ProtocolPaths.BACKEND_METRICS, null, null);

    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.headers().get("content-type")).startsWith("text/plain; version=0.0.4");
    String body = answer.body();
    assertThat(body)
        .contains(
            "vm_backend_http_requests_total{method=\"POST\",route=\""
                + ProtocolPaths.HEARTBEAT
                + "\",status=\"200\"} 1.0",
            "vm_backend_http_request_duration_seconds_bucket{method=\"POST\",route=\""
                + ProtocolPaths.REGISTER
                + "\",le=\"+Inf\"} 1",
            "vm_backend_http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1.0",
            "vm_backend_http_request_cpu_seconds_total{method=\"POST\",route=\""
                + ProtocolPaths.HEARTBEAT
                + "\"}",
            "vm_backend_http_request_allocated_bytes_total{method=\"POST\",route=\""
                + ProtocolPaths.HEARTBEAT
                + "\"}",
            "vm_backend_agents{status=\"online\"} 1.0",
            "vm_backend_agents{status=\"offline\"} 0.0",
            "vm_backend_commands{state=\"queued\"} 1.0",
            "vm_backend_commands{state=\"expired\"} 0.0",
            "vm_backend_long_polls_waiting 0.0",
            "vm_backend_db_pool_connections{state=\"active\"}",
            "vm_backend_db_pool_max_connections 10.0",
            "vm_backend_db_transaction_duration_seconds_count",
            "vm_backend_db_connection_acquire_duration_seconds_count",
            "vm_backend_retention_pruned_rows_total{kind=",
            "jvm_memory_used_bytes{area=\"heap\"}",
            "jvm_threads_current");
    // The raw path, with its agent id, never becomes a label.
    assertThat(body).doesNotContain("nothing-here");
    check(body);
  }

  @Test
  void metricsFromAnotherHostNeedTheOperatorToken() throws Exception {
    Optional<InetAddress> outside = nonLoopbackAddress();
    Assumptions.assumeTrue(outside.isPresent(), "this host has no non-loopback IPv4 address");
    String host = outside.get().getHostAddress();
    RawHttps remote =
        new RawHttps(
            URI.create("https://" + host + ":" + backend.port()),
            backend.caCertificatePath(),
            host);

    RawHttps.Answer anonymous = remote.send("GET", ProtocolPaths.BACKEND_METRICS, null, null);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.body()).contains("UNAUTHORIZED").doesNotContain("vm_backend_");

    RawHttps.Answer operator =
        remote.send("GET", ProtocolPaths.BACKEND_METRICS, backend.operatorToken(), null);
    assertThat(operator.status()).isEqualTo(200);
    assertThat(operator.body()).contains("vm_backend_http_requests_total");

    RawHttps local = new RawHttps(backend.baseUrl(), backend.caCertificatePath(), "127.0.0.1");
    RawHttps.Answer wrongToken =
        local.send("GET", ProtocolPaths.BACKEND_METRICS, "vmo_not-the-token", null);
    assertThat(wrongToken.status()).isEqualTo(401);
  }

  private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
    for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!nic.isUp() || nic.isLoopback()) {
        continue;
      }
      for (InetAddress address : Collections.list(nic.getInetAddresses())) {
        if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
          return Optional.of(address);
        }
      }
    }
    return Optional.empty();
  }

  /** promtool's lint when it is installed, else the Prometheus Python client's parser. */
  private void check(String exposition) throws IOException, InterruptedException {
    Path file = dir.resolve("metrics.prom");
    Files.writeString(file, exposition, StandardCharsets.UTF_8);
    List<String> command =
        Files.isExecutable(Path.of("/usr/bin/promtool"))
            ? List.of("/usr/bin/promtool", "check", "metrics")
            : List.of(
                "python3",
                "-c",
                "import sys; from prometheus_client.parser import"
                    + " text_string_to_metric_families as p; list(p(sys.stdin.read()))");
    Process process =
        new ProcessBuilder(command).redirectInput(file.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("%s: %s", command.get(0), output).isZero();
    assertThat(output).as("lint findings").isBlank();
  }
}

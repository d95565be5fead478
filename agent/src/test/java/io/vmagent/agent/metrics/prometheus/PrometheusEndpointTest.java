package io.vmagent.agent.metrics.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.DomainMetrics;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.metrics.domain.ConnectionAccess;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.system.SystemCollectors;
import io.vmagent.testing.TestDriverNodeXml;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import oshi.SystemInfo;

/** The endpoint scraped over real HTTP; the body parsed by the Prometheus client's parsers. */
class PrometheusEndpointTest {
  private static final int DOMAINS = 10;
  private static final InetAddress LOOPBACK = loopback();

  @TempDir static Path dir;
  private static Connect connect;
  private static PrometheusEndpoint endpoint;
  private static MetricsSnapshot snapshot;
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void serve() throws Exception {
    connect = new Connect(TestDriverNodeXml.write(dir.resolve("node.xml"), DOMAINS), true);
    SystemCollectors system = new SystemCollectors(new SystemInfo());
    List<Collector> collectors = new ArrayList<>(system.create());
    collectors.add(new DomainCollector(ConnectionAccess.of(connect), system.logicalCpus()));
    MetricsSampler sampler = new MetricsSampler(collectors, Clock.systemUTC());
    sampler.collect();
    snapshot = sampler.collect();

    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new SnapshotMetrics(sampler::latest));
    AgentHealthMetrics health = new AgentHealthMetrics(registry, () -> 12.5);
    health.heartbeatSent();
    health.heartbeatSent();
    health.heartbeatFailed();
    health.commandFinished("start_vm", "success");
    health.commandFinished("start_vm", "success");
    health.commandFinished("stop_vm", "timeout");
    health.spoolSize(3, 4096);
    health.libvirtConnectionState(ConnectionState.CONNECTED);
    endpoint = PrometheusEndpoint.start(new InetSocketAddress(LOOPBACK, 0), registry);
  }

  @AfterAll
  static void stop() throws Exception {
    if (endpoint != null) {
      endpoint.close();
    }
    connect.close();
  }

  @Test
  void domainCountersCarryDomainAndUuidLabels() throws Exception {
    List<ExpositionParser.Family> families = ExpositionParser.parse(scrape("text/plain"), "text");

    ExpositionParser.Family cpu = family(families, "vmagent_domain_cpu_seconds");
    assertThat(cpu.type()).isEqualTo("counter");
    assertThat(cpu.samples()).hasSize(DOMAINS);
    for (DomainMetrics d : snapshot.domains()) {
      ExpositionParser.Sample s =
          sample(
              cpu,
              "vmagent_domain_cpu_seconds_total",
              Map.of("domain", d.name(), "uuid", d.uuid()));
      assertThat(s.value()).isEqualTo(d.cpuTimeSeconds());
    }

    ExpositionParser.Family read = family(families, "vmagent_domain_block_read_bytes");
    assertThat(read.type()).isEqualTo("counter");
    DomainMetrics first = snapshot.domains().get(0);
    DomainMetrics.Disk vdb = first.disks().get(1);
    ExpositionParser.Sample s =
        sample(
            read,
            "vmagent_domain_block_read_bytes_total",
            Map.of("domain", first.name(), "uuid", first.uuid(), "device", "vdb"));
    assertThat(s.value()).isEqualTo((double) vdb.readBytes());
    int disks = snapshot.domains().stream().mapToInt(d -> d.disks().size()).sum();
    assertThat(read.samples()).hasSize(disks).isNotEmpty();

    ExpositionParser.Family rx = family(families, "vmagent_domain_interface_receive_bytes");
    assertThat(rx.samples()).allSatisfy(x -> assertThat(x.labels()).containsKeys("device"));
    ExpositionParser.Family info = family(families, "vmagent_domain_info");
    assertThat(info.samples())
        .anySatisfy(x -> assertThat(x.labels()).containsEntry("state", "shut_off"));
  }

  @Test
  void hostFiguresAndCollectorOutcomesAreExposed() throws Exception {
    List<ExpositionParser.Family> families = ExpositionParser.parse(scrape("text/plain"), "text");

    assertThat(family(families, "vmagent_host_memory_total_bytes").samples())
        .singleElement()
        .satisfies(
            x -> assertThat(x.value()).isEqualTo((double) snapshot.system().memory().totalBytes()));
    assertThat(family(families, "vmagent_host_network_receive_bytes").type()).isEqualTo("counter");
    ExpositionParser.Family success = family(families, "vmagent_collector_success");
    assertThat(success.samples())
        .extracting(x -> x.labels().get("collector"))
        .contains("cpu", "memory", "domains");
    assertThat(success.samples()).allSatisfy(x -> assertThat(x.value()).isEqualTo(1.0));
  }

  @Test
  void agentHealthIsExposed() throws Exception {
    List<ExpositionParser.Family> families = ExpositionParser.parse(scrape("text/plain"), "text");

    assertThat(value(families, "vmagent_heartbeats_sent", Map.of())).isEqualTo(2.0);
    assertThat(value(families, "vmagent_heartbeats_failed", Map.of())).isEqualTo(1.0);
    assertThat(
            value(
                families,
                "vmagent_commands",
                Map.of("operation", "start_vm", "outcome", "success")))
        .isEqualTo(2.0);
    assertThat(
            value(
                families, "vmagent_commands", Map.of("operation", "stop_vm", "outcome", "timeout")))
        .isEqualTo(1.0);
    assertThat(value(families, "vmagent_spool_entries", Map.of())).isEqualTo(3.0);
    assertThat(value(families, "vmagent_spool_bytes", Map.of())).isEqualTo(4096.0);
    assertThat(value(families, "vmagent_libvirt_connection_state", Map.of("state", "connected")))
        .isEqualTo(1.0);
    assertThat(value(families, "vmagent_libvirt_connection_state", Map.of("state", "degraded")))
        .isEqualTo(0.0);
    assertThat(value(families, "vmagent_backend_last_contact_age_seconds", Map.of()))
        .isEqualTo(12.5);
  }

  @Test
  void openMetricsExpositionPassesTheStrictParser() throws Exception {
    List<ExpositionParser.Family> families =
        ExpositionParser.parse(
            scrape("application/openmetrics-text; version=1.0.0; charset=utf-8"), "openmetrics");

    assertThat(family(families, "vmagent_domain_cpu_seconds").samples()).hasSize(DOMAINS);
    assertThat(family(families, "vmagent_domain_block_write_bytes").type()).isEqualTo("counter");
  }

  @Test
  void secondEndpointOnTheSamePortFailsWithTheAddress() {
    InetSocketAddress taken = new InetSocketAddress(LOOPBACK, endpoint.port());
    assertThatExceptionOfType(IOException.class)
        .isThrownBy(() -> PrometheusEndpoint.start(taken, new PrometheusRegistry()))
        .withMessageContaining("cannot serve Prometheus metrics on 127.0.0.1:" + endpoint.port());
  }

  /** 127.0.0.1 as a literal, so the endpoint's messages name it as such. */
  private static InetAddress loopback() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static String scrape(String accept) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
            .header("Accept", accept)
            .timeout(Duration.ofSeconds(10))
            .build();
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  private static ExpositionParser.Family family(
      List<ExpositionParser.Family> families, String name) {
    Optional<ExpositionParser.Family> found =
        families.stream().filter(f -> f.name().equals(name)).findFirst();
    assertThat(found).as("metric family " + name).isPresent();
    return found.get();
  }

  private static ExpositionParser.Sample sample(
      ExpositionParser.Family family, String sampleName, Map<String, String> labels) {
    return family.samples().stream()
        .filter(s -> s.name().equals(sampleName) && s.labels().equals(labels))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample " + sampleName + labels));
  }

  private static double value(
      List<ExpositionParser.Family> families, String family, Map<String, String> labels) {
    ExpositionParser.Family f = family(families, family);
    return f.samples().stream()
        .filter(s -> s.labels().equals(labels) && !s.name().endsWith("_created"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no sample of " + family + labels))
        .value();
  }
}

package io.vmagent.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vmagent.agent.metrics.prometheus.SnapshotMetrics;
import io.vmagent.protocol.text.Printable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rendering of three fixed snapshots (full, collectors failed, nothing collected) against the
 * files under {@code src/test/resources/metrics/}: the JSON of the protocol and of {@code vm-agent
 * metrics --json}, the CLI tables and both Prometheus expositions. The files pin the wire formats
 * byte for byte.
 */
class SnapshotRenderingTest {
  private static final long GIB = 1L << 30;
  private static final double NAN = Double.NaN;

  /** The golden files, {@code <snapshot>.<rendering>}: one per snapshot and rendering. */
  static Stream<String> files() {
    return Stream.of("full", "failed", "bare")
        .flatMap(
            s ->
                Stream.of("json", "pretty.json", "table.txt", "prom", "om.txt")
                    .map(r -> s + "." + r));
  }

  @ParameterizedTest
  @MethodSource("files")
  void renderingIsUnchanged(String file) throws IOException {
    assertThat(render(file)).isEqualTo(golden(file));
  }

  static String render(String file) throws IOException {
    int dot = file.indexOf('.');
    MetricsSnapshot snapshot = snapshot(file.substring(0, dot));
    return switch (file.substring(dot + 1)) {
      case "json" -> MetricsJson.mapper().writeValueAsString(snapshot) + "\n";
      case "pretty.json" ->
          MetricsJson.mapper()
                  .writerWithDefaultPrettyPrinter()
                  .with(Printable.jsonEscapes())
                  .writeValueAsString(snapshot)
              + "\n";
      case "table.txt" -> table(snapshot);
      case "prom" -> exposition(snapshot, PrometheusTextFormatWriter.create());
      case "om.txt" -> exposition(snapshot, OpenMetricsTextFormatWriter.create());
      default -> throw new IllegalArgumentException(file);
    };
  }

  private static String table(MetricsSnapshot snapshot) {
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    MetricsTable.printSystem(snapshot, out);
    MetricsTable.printDomains(snapshot, out);
    return text.toString();
  }

  private static String exposition(MetricsSnapshot snapshot, ExpositionFormatWriter writer)
      throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new SnapshotMetrics(() -> snapshot));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String golden(String file) throws IOException {
    try (InputStream in = SnapshotRenderingTest.class.getResourceAsStream("/metrics/" + file)) {
      assertThat(in).as("golden file metrics/" + file).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static MetricsSnapshot snapshot(String name) {
    return switch (name) {
      case "full" -> full();
      case "failed" -> failed();
      default ->
          new MetricsSnapshot(
              MetricsSnapshot.SCHEMA_VERSION,
              Instant.parse("2026-12-06T00:00:00Z"),
              null,
              new SystemMetrics(null, null, null, null, null, null, null),
              List.of(),
              List.of());
    };
  }

  private static MetricsSnapshot full() {
    HostFacts host =
        new HostFacts(
            "host-1",
            "Debian GNU/Linux 12 (bookworm)",
            "6.1.0-26-amd64",
            "amd64",
            "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz",
            new HostFacts.Virtualization("vmx", true),
            93_784,
            Instant.parse("2026-12-05T11:00:00Z"));
    SystemMetrics system =
        new SystemMetrics(
            new CpuMetrics(12.345, List.of(10.0, 14.69), 2_400_000_000L, 3_000_000_000L, 4, 8),
            new LoadAverage(0.5, 0.25, 1.125),
            new MemoryMetrics(16 * GIB, 9 * GIB, 7 * GIB, 43.75),
            new SwapMetrics(2 * GIB, 123_456_789, 5.75),
            List.of(
                new FileSystemUsage("/", "/dev/sda1", "ext4", 100 * GIB, 40 * GIB, 55 * GIB, 42.1),
                new FileSystemUsage("/mnt/odd\u0007name", "/dev/sdb1", "xfs", 1000, 0, 1000, 0.0)),
            List.of(
                new DiskIo("sda", 1_000_000, 2_000_000, 100, 200, 1536.5, 0.0, 1.5, 2.25),
                new DiskIo("sdb", 0, 0, 0, 0, NAN, NAN, NAN, NAN)),
            List.of(
                new NetworkIo(
                    "br0", 5_000_000_000L, 4_000, 30, 40, 1, 2, 3, 4, 2048, 1024, 3, 4, 0, 0, 0, 0),
                new NetworkIo(
                    "eth0", 10, 20, 1, 2, 0, 0, 5, -1, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN)));
    List<DomainMetrics> domains =
        List.of(
            new DomainMetrics(
                "vm-0001",
                "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
                7,
                "running",
                "booted",
                2,
                1234.5,
                25.5,
                3.1875,
                4 * GIB,
                2 * GIB,
                new DomainMetrics.Balloon(2 * GIB, GIB, 2 * GIB, GIB + 512, 1_500_000_000),
                List.of(
                    new DomainMetrics.Disk("vda", 1_000, 2_000, 10, 20, 100.0, 200.0, 1.0, 2.0),
                    new DomainMetrics.Disk("vdb", 3_000, -1, 30, -1, 50.0, NAN, 3.0, NAN)),
                List.of(
                    new DomainMetrics.NetworkInterface(
                        "vnet0", 100, 2, 0, 0, 200, 3, 0, 1, 10.0, 1.0, 0.0, 0.0, 20.0, 1.5, 0.0,
                        0.5),
                    new DomainMetrics.NetworkInterface(
                        "vnet1", 1, 1, 1, 1, 1, 1, 1, 1, 4096.0, NAN, NAN, NAN, 8192.0, NAN, NAN,
                        NAN)),
                200_000.0,
                false),
            new DomainMetrics(
                "vm-0002 \"quoted\"",
                "2b4e28ba-2fa1-11d2-883f-0016d3cca427",
                8,
                "paused",
                "user",
                1,
                0.25,
                NAN,
                NAN,
                GIB,
                GIB,
                new DomainMetrics.Balloon(GIB, -1, -1, -1, -1),
                List.of(new DomainMetrics.Disk("vda", 0, 0, 0, 0, NAN, NAN, NAN, NAN)),
                List.of(),
                59.0,
                true),
            new DomainMetrics(
                "vm-0009",
                "9b4e28ba-2fa1-11d2-883f-0016d3cca427",
                null,
                "shut_off",
                "destroyed",
                null,
                NAN,
                NAN,
                NAN,
                GIB,
                -1,
                new DomainMetrics.Balloon(-1, -1, -1, -1, -1),
                List.of(),
                List.of(),
                NAN,
                false));
    List<CollectorStatus> collectors =
        List.of(
            new CollectorStatus("host", true, 0.001, null),
            new CollectorStatus("cpu", true, 0.0025, null),
            new CollectorStatus("diskio", false, 0.5, "IllegalStateException: no\ndisks"),
            new CollectorStatus("domains", true, 0.125, null));
    return new MetricsSnapshot(
        MetricsSnapshot.SCHEMA_VERSION,
        Instant.parse("2026-12-06T12:34:56.789Z"),
        host,
        system,
        domains,
        collectors);
  }

  private static MetricsSnapshot failed() {
    HostFacts host =
        new HostFacts(
            "host-2",
            "Linux",
            "",
            "aarch64",
            "",
            new HostFacts.Virtualization(null, false),
            5,
            Instant.parse("2026-12-06T12:00:00Z"));
    List<CollectorStatus> collectors =
        Arrays.stream(new String[] {"cpu", "loadavg", "memory", "domains"})
            .map(n -> new CollectorStatus(n, false, 0.0, "RuntimeException: " + n + " failed"))
            .toList();
    return new MetricsSnapshot(
        MetricsSnapshot.SCHEMA_VERSION,
        Instant.parse("2026-12-06T12:00:05Z"),
        host,
        new SystemMetrics(
            new CpuMetrics(null, List.of(), null, null, 1, 1), null, null, null, null, null, null),
        List.of(),
        collectors);
  }
}

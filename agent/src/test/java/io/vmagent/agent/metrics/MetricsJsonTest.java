package io.vmagent.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.agent.metrics.domain.ConnectionAccess;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.system.SystemCollectors;
import io.vmagent.testing.TestDriverNodeXml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import oshi.SystemInfo;

class MetricsJsonTest {
  @TempDir static Path dir;
  private static MetricsSnapshot snapshot;
  private static JsonNode json;

  @BeforeAll
  static void collect() throws Exception {
    try (AutoCloseableConnect c =
        new AutoCloseableConnect(
            new Connect(TestDriverNodeXml.write(dir.resolve("node.xml"), 10), true))) {
      SystemCollectors system = new SystemCollectors(new SystemInfo());
      List<Collector> collectors = new ArrayList<>(system.create());
      collectors.add(new DomainCollector(ConnectionAccess.of(c.connect), system.logicalCpus()));
      MetricsSampler sampler = new MetricsSampler(collectors, Clock.systemUTC());
      sampler.collect();
      Thread.sleep(100);
      snapshot = sampler.collect();
    }
    json = MetricsJson.mapper().readTree(MetricsJson.mapper().writeValueAsString(snapshot));
  }

  @Test
  void wireNamesAreSnakeCaseAndVersioned() {
    assertThat(json.get("schema_version").asInt()).isEqualTo(MetricsSnapshot.SCHEMA_VERSION);
    assertThat(json.get("collected_at").asText()).isEqualTo(snapshot.collectedAt().toString());
    assertThat(json.at("/system/load/load_15m").isNumber()).isTrue();
    assertThat(json.at("/domains/0/disks/0/read_bytes_per_second").isNumber()).isTrue();
    for (String path : paths(json)) {
      assertThat(path).matches("[a-z0-9_.\\[\\]]+");
    }
  }

  @Test
  void unknownFiguresAreNullNotAbsent() {
    JsonNode shutOff = json.at("/domains/9");
    assertThat(shutOff.get("name").asText()).isEqualTo(TestDriverNodeXml.name(9));
    assertThat(shutOff.has("id")).isTrue();
    assertThat(shutOff.get("id").isNull()).isTrue();
    assertThat(shutOff.get("uptime_seconds").isNull()).isTrue();
    assertThat(shutOff.at("/balloon/unused_bytes").isNull()).isTrue();
    assertThat(shutOff.at("/cpu_percent").isNull()).isTrue();
    assertThat(json.at("/domains/0/disks/0/read_bytes").isNumber()).isTrue();
  }

  @Test
  void everyFieldIsDocumented() throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "metrics.md"));
    assertThat(paths(json))
        .isNotEmpty()
        .allSatisfy(
            path ->
                assertThat(doc).as("docs/metrics.md documents " + path).contains("`" + path + "`"));
  }

  @Test
  void snapshotReadsBackIntoTheSameRecords() throws Exception {
    String text = MetricsJson.mapper().writeValueAsString(snapshot);
    MetricsSnapshot back = MetricsJson.mapper().readValue(text, MetricsSnapshot.class);
    assertThat(back).isEqualTo(snapshot);
  }

  /** Every leaf path, arrays written as {@code []}, e.g. {@code domains[].disks[].device}. */
  private static Set<String> paths(JsonNode node) {
    Set<String> paths = new TreeSet<>();
    walk(node, "", paths);
    return paths;
  }

  private static void walk(JsonNode node, String prefix, Set<String> paths) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        walk(
            field.getValue(),
            prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey(),
            paths);
      }
    } else if (node.isArray()) {
      if (node.isEmpty() || !node.get(0).isContainerNode()) {
        paths.add(prefix + "[]");
      }
      for (JsonNode element : node) {
        if (element.isContainerNode()) {
          walk(element, prefix + "[]", paths);
        }
      }
    } else {
      paths.add(prefix);
    }
  }

  private record AutoCloseableConnect(Connect connect) implements AutoCloseable {
    @Override
    public void close() throws LibvirtException {
      connect.close();
    }
  }
}

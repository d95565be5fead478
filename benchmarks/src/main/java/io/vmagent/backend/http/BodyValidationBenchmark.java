package io.vmagent.backend.http;

import com.atlassian.oai.validator.schema.SwaggerV20Library;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.FieldViolation;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The backend's check and binding of one request body, the way it was (the OpenAPI validator parses
 * the text and runs {@code pattern} in Rhino, then Jackson parses the text again to bind it), the
 * way it was next (one parse, the library's check on that tree with {@code pattern} on
 * java.util.regex, the tree bound) and the way it is (the same, with the document's schemas
 * compiled once in front of the library, which then sees only the refused bodies). It lives in the
 * backend's package to reach {@link RequestValidator}; in the package of the benchmarks the bodies
 * would need a public door into the backend that nothing else wants. Run with {@code -prof gc} for
 * the bytes allocated per body ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class BodyValidationBenchmark {
  /** A heartbeat with 20 VMs, a metrics batch with one snapshot of 20 domains, a result. */
  @Param({"heartbeat", "metrics", "result"})
  String body;

  private static final ObjectMapper MAPPER = ProtocolJson.strictMapper();
  private RequestValidator library;
  private RequestValidator tree;
  private RequestValidator compiled;
  private String template;
  private String path;
  private String text;
  private Class<?> type;

  @Setup
  public void setUp() {
    library = new RequestValidator(SwaggerV20Library::schemaFactory);
    tree = new RequestValidator(RequestValidator::schemaFactory);
    compiled = new RequestValidator();
    switch (body) {
      case "heartbeat" -> {
        template = "/api/v1/agents/{agentId}/heartbeat";
        path = "/api/v1/agents/agent-1/heartbeat";
        text = heartbeat(20);
        type = HeartbeatRequest.class;
      }
      case "metrics" -> {
        template = "/api/v1/agents/{agentId}/metrics";
        path = "/api/v1/agents/agent-1/metrics";
        text = metrics(20);
        type = MetricsBatch.class;
      }
      case "result" -> {
        template = "/api/v1/agents/{agentId}/results";
        path = "/api/v1/agents/agent-1/results";
        text =
            "{\"command_id\":\"6f1c1f0e-5d7a-4a53-9d8e-0c3c0b7b9a11\",\"status\":\"succeeded\","
                + "\"result\":{\"name\":\"vm-7\",\"state\":\"running\",\"operation\":\"start\"},"
                + "\"started_at\":\"2026-12-06T10:00:00.123Z\","
                + "\"finished_at\":\"2026-12-06T10:00:01.456Z\"}";
        type = CommandResult.class;
      }
      default -> throw new IllegalArgumentException("unknown body " + body);
    }
    try {
      check(library.violations("POST", null, path, Map.of(), "application/json", text, null));
      beforeParsedTwice();
      afterParsedOnce();
      compiledParsedOnce();
      if (!compiled.compiledAccepts(
          "POST", template, path, Map.of(), "application/json", Exchange.parse(MAPPER, text))) {
        throw new IllegalStateException(
            "the compiled check leaves the " + body + " to the library");
      }
    } catch (IOException e) {
      throw new IllegalStateException("the " + body + " body does not bind", e);
    }
  }

  /** The way it was: the library parses the text to check it, Jackson parses it again to bind. */
  @Benchmark
  public Object beforeParsedTwice() throws IOException {
    check(library.violations("POST", null, path, Map.of(), "application/json", text, null));
    return MAPPER.readValue(text, type);
  }

  /** The way it was next: one parse; the library's check on the tree; the tree bound. */
  @Benchmark
  public Object afterParsedOnce() throws IOException {
    JsonNode parsed = Exchange.parse(MAPPER, text);
    check(tree.violations("POST", template, path, Map.of(), "application/json", text, parsed));
    return MAPPER.treeToValue(parsed, type);
  }

  /** The way it is: one parse; the compiled check on the tree (the library not asked); bound. */
  @Benchmark
  public Object compiledParsedOnce() throws IOException {
    JsonNode parsed = Exchange.parse(MAPPER, text);
    check(compiled.violations("POST", template, path, Map.of(), "application/json", text, parsed));
    return MAPPER.treeToValue(parsed, type);
  }

  private void check(List<FieldViolation> violations) {
    if (!violations.isEmpty()) {
      throw new IllegalStateException("the " + body + " body is refused: " + violations);
    }
  }

  private static String heartbeat(int vms) {
    StringBuilder json =
        new StringBuilder(
            "{\"status\":\"healthy\",\"reasons\":[],\"uptime_seconds\":86400,"
                + "\"versions\":{\"agent\":\"0.1.0\",\"java\":\"17.0.15\",\"libvirt\":\"9.0.0\","
                + "\"hypervisor\":\"9.0.0\",\"os\":\"Debian GNU/Linux 12\"},"
                + "\"libvirt\":{\"reachable\":true,\"uri\":\"qemu:///system\",\"latency_ms\":1},"
                + "\"spool_depth\":0,\"ssl_verify\":true,\"warnings\":[],"
                + "\"heartbeat_interval_seconds\":30,\"prometheus_endpoint\":\"127.0.0.1:9100\","
                + "\"vms\":[");
    for (int i = 0; i < vms; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"name\":\"vm-")
          .append(i)
          .append("\",\"uuid\":\"6f1c1f0e-5d7a-4a53-9d8e-0c3c0b7b9a")
          .append(String.format("%02d", i))
          .append("\",\"state\":\"running\"}");
    }
    return json.append("]}").toString();
  }

  private static String metrics(int domains) {
    StringBuilder json =
        new StringBuilder(
            "{\"samples\":[{\"timestamp\":\"2026-12-06T10:00:00.123Z\",\"snapshot\":{"
                + "\"schema_version\":1,\"collected_at\":\"2026-12-06T10:00:00.100Z\","
                + "\"host\":{\"hostname\":\"host-1.fleet.test\",\"uptime_seconds\":86400,"
                + "\"cpus\":8},\"system\":{\"cpu\":{\"usage_percent\":31.25,\"user_percent\":"
                + "22.5,\"system_percent\":7.75,\"iowait_percent\":1.0},\"load\":{\"one\":1.5,"
                + "\"five\":1.25,\"fifteen\":1.0},\"memory\":{\"total_bytes\":34359738368,"
                + "\"available_bytes\":17179869184,\"used_percent\":50.0},\"filesystems\":"
                + "[{\"mount\":\"/\",\"total_bytes\":107374182400,\"used_bytes\":53687091200}],"
                + "\"network\":[{\"interface\":\"eth0\",\"rx_bytes_per_second\":1250000.5,"
                + "\"tx_bytes_per_second\":625000.25}]},\"domains\":[");
    for (int i = 0; i < domains; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"name\":\"vm-")
          .append(i)
          .append(
              "\",\"state\":\"running\",\"vcpus\":2,\"cpu_percent\":12.5,"
                  + "\"memory_bytes\":4294967296,\"memory_used_bytes\":2147483648,"
                  + "\"disk_read_bytes_per_second\":1024.5,\"disk_write_bytes_per_second\":2048.25,"
                  + "\"net_rx_bytes_per_second\":4096.125,\"net_tx_bytes_per_second\":512.0}");
    }
    return json.append(
            "],\"collectors\":[{\"name\":\"cpu\",\"success\":true,\"duration_ms\":0.5},"
                + "{\"name\":\"domains\",\"success\":true,\"duration_ms\":3.25}]}}]}")
        .toString();
  }
}

package io.vmagent.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.FieldViolation;
import io.vmagent.protocol.ProtocolJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The compiled check against the library alone: it accepts only what the library accepts, the
 * answers to refused requests are the library's word for word, and what the project's own agent,
 * simulator and operators send is accepted without asking the library.
 */
class CompiledRequestCheckTest {
  private static final ObjectMapper MAPPER = ProtocolJson.strictMapper();
  private static final RequestValidator COMPILED = new RequestValidator();
  private static final RequestValidator LIBRARY =
      new RequestValidator(RequestValidator::schemaFactory);

  @Test
  void everyOperationOfTheDocumentIsCompiled() {
    long operations =
        Stream.of(RequestValidator.loadSpec().split("\n"))
            .filter(line -> line.matches("    (get|post|put|delete|patch):\\s*"))
            .count();
    assertThat(COMPILED.compiledOperations()).isEqualTo((int) operations);
  }

  static Stream<RequestBodies.Sample> validBodies() {
    return RequestBodies.all().stream();
  }

  @ParameterizedTest
  @MethodSource("validBodies")
  void whatTheAgentTheSimulatorAndOperatorsSendPassesWithoutTheLibrary(RequestBodies.Sample s) {
    JsonNode tree = Exchange.parse(MAPPER, s.body());

    assertThat(
            LIBRARY.violations(
                "POST", s.template(), s.path(), Map.of(), "application/json", s.body(), tree))
        .isEmpty();
    assertThat(
            COMPILED.compiledAccepts(
                "POST", s.template(), s.path(), Map.of(), "application/json", tree))
        .isTrue();
  }

  @Test
  void theAgentsMetricsSnapshotsPassWithoutTheLibrary() throws IOException {
    Path fixtures = Path.of("..", "agent", "src", "test", "resources", "metrics");
    List<Path> snapshots = new ArrayList<>();
    try (Stream<Path> files = Files.list(fixtures)) {
      files.filter(f -> f.toString().endsWith(".json")).sorted().forEach(snapshots::add);
    }
    assertThat(snapshots).isNotEmpty();
    for (Path snapshot : snapshots) {
      String body =
          "{\"samples\":[{\"timestamp\":\"2026-12-06T00:00:00Z\",\"snapshot\":"
              + Files.readString(snapshot)
              + "}]}";
      JsonNode tree = Exchange.parse(MAPPER, body);
      assertThat(tree).as("%s", snapshot).isNotNull();
      assertThat(
              COMPILED.compiledAccepts(
                  "POST",
                  "/api/v1/agents/{agentId}/metrics",
                  "/api/v1/agents/agent-1/metrics",
                  Map.of(),
                  "application/json",
                  tree))
          .as("%s", snapshot)
          .isTrue();
    }
  }

  static Stream<List<String>> validBodyless() {
    String poll = "/api/v1/agents/{agentId}/commands";
    return Stream.of(
        List.of("GET", poll, "/api/v1/agents/agent-1/commands", "wait", "25"),
        List.of("GET", poll, "/api/v1/agents/agent_1.x-y/commands", "max", "10"),
        List.of("GET", poll, "/api/v1/agents/agent-1/commands", "", ""),
        List.of("GET", "/api/v1/health", "/api/v1/health", "", ""),
        List.of("GET", "/api/agent/status", "/api/agent/status", "", ""),
        List.of(
            "GET",
            "/api/v1/operator/events",
            "/api/v1/operator/events",
            "since",
            "2026-12-06T10:00:00Z"),
        List.of("GET", "/api/v1/operator/events", "/api/v1/operator/events", "type", "started"),
        List.of("GET", "/api/v1/operator/agents", "/api/v1/operator/agents", "limit", "500"),
        List.of(
            "POST",
            "/api/v1/operator/agents/{agentId}/revoke",
            "/api/v1/operator/agents/agent-1/revoke",
            "keep_token",
            "true"),
        List.of(
            "GET",
            "/api/v1/operator/commands/{commandId}",
            "/api/v1/operator/commands/" + RequestBodies.UUID_1,
            "wait",
            "0"),
        List.of("GET", "/api/v1/updates/latest", "/api/v1/updates/latest", "current", "0.1.0+b7"));
  }

  @ParameterizedTest
  @MethodSource("validBodyless")
  void aValidPollOrListingNeverReachesTheLibrary(List<String> request) {
    Map<String, List<String>> query =
        request.get(3).isEmpty() ? Map.of() : Map.of(request.get(3), List.of(request.get(4)));

    assertThat(LIBRARY.violations(request.get(0), request.get(1), request.get(2), query)).isEmpty();
    assertThat(
            COMPILED.compiledAccepts(
                request.get(0), request.get(1), request.get(2), query, null, null))
        .isTrue();
  }

  static Stream<String> dateTimes() {
    return Stream.of(
        "2026-12-06T10:00:01Z",
        "2026-12-06T10:00:01",
        "2026-12-06T10:00:01z",
        "2026-12-06t10:00:01Z",
        "2026-12-06 10:00:01Z",
        "2026-12-31T23:59:60Z",
        "2026-06-30T23:59:60+00:00",
        "2026-12-06T10:00:01.1Z",
        "2026-12-06T10:00:01.123456789Z",
        "2026-12-06T10:00:01.123456789012Z",
        "2026-12-06T10:00:01.1234567890123Z",
        "2026-12-06T10:00:01.Z",
        "2026-12-06T10:00:01+01:00",
        "2026-12-06T10:00:01+0100",
        "2026-12-06T10:00:01+01",
        "2026-12-06T10:00:01-23:59",
        "2026-12-06T10:00:01+24:00",
        "2026-02-29T10:00:00Z",
        "2028-02-29T10:00:00Z",
        "2026-02-30T10:00:00Z",
        "2026-13-01T10:00:00Z",
        "2026-12-06T24:00:00Z",
        "0000-01-01T00:00:00Z",
        "10000-01-01T00:00:00Z",
        "2026-12-06T10:00:01Z\n",
        " 2026-12-06T10:00:01Z",
        "2026-12-06T10:00Z",
        "2026-12-6T10:00:01Z",
        "");
  }

  @ParameterizedTest
  @MethodSource("dateTimes")
  void dateTimesAreReadAsTheLibraryReadsThem(String value) throws IOException {
    String body =
        "{\"command_id\":\""
            + RequestBodies.UUID_1
            + "\",\"status\":\"succeeded\",\"started_at\":"
            + MAPPER.writeValueAsString(value)
            + ",\"finished_at\":\"2026-12-06T10:00:01Z\"}";

    assertSame("/api/v1/agents/{agentId}/results", "/api/v1/agents/agent-1/results", body);
  }

  static Stream<String> integers() {
    return Stream.of(
        "0",
        "-1",
        "5",
        "5.0",
        "5.5",
        "1e2",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
        "-99999999999999999999",
        "2147483648",
        "\"5\"",
        "null",
        "true",
        "[]",
        "{}");
  }

  @ParameterizedTest
  @MethodSource("integers")
  void integersAndTheirRangesAreReadAsTheLibraryReadsThem(String value) {
    String beat =
        "{\"status\":\"healthy\",\"uptime_seconds\":"
            + value
            + ",\"versions\":{\"agent\":\"1.0.0\"},\"libvirt\":{\"reachable\":true,"
            + "\"latency_ms\":"
            + value
            + "},\"spool_depth\":0,\"ssl_verify\":true,\"heartbeat_interval_seconds\":"
            + value
            + "}";

    assertSame("/api/v1/agents/{agentId}/heartbeat", "/api/v1/agents/agent-1/heartbeat", beat);
  }

  static void assertSame(String template, String path, String body) {
    JsonNode tree = Exchange.parse(MAPPER, body);
    List<FieldViolation> library =
        LIBRARY.violations("POST", template, path, Map.of(), "application/json", body, tree);
    List<FieldViolation> compiled =
        COMPILED.violations("POST", template, path, Map.of(), "application/json", body, tree);
    assertThat(compiled).as(body).isEqualTo(library);
    if (tree != null
        && COMPILED.compiledAccepts("POST", template, path, Map.of(), "application/json", tree)) {
      assertThat(library).as("accepted by the compiled check: %s", body).isEmpty();
    }
  }
}

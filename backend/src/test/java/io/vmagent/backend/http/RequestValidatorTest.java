package io.vmagent.backend.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import com.atlassian.oai.validator.schema.SwaggerV20Library;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.fge.jsonschema.core.util.RegexECMA262Helper;
import io.vmagent.protocol.FieldViolation;
import io.vmagent.protocol.ProtocolJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RequestValidatorTest {
  private static final ObjectMapper MAPPER = ProtocolJson.strictMapper();
  private static final RequestValidator TREE = new RequestValidator();
  // The library as it was configured before: its own schema factory (Rhino for `pattern`), the
  // body handed over as text. The refusals on the parsed tree must be the same, word for word.
  private static final RequestValidator LIBRARY =
      new RequestValidator(SwaggerV20Library::schemaFactory);
  private static final String HEARTBEAT = "/api/v1/agents/agent-1/heartbeat";
  private static final String RESULTS = "/api/v1/agents/agent-1/results";
  private static final String METRICS = "/api/v1/agents/agent-1/metrics";

  static Stream<List<String>> badBodies() {
    String heartbeat = "/api/v1/agents/{agentId}/heartbeat";
    String results = "/api/v1/agents/{agentId}/results";
    String metrics = "/api/v1/agents/{agentId}/metrics";
    String beat =
        "{\"status\":\"healthy\",\"uptime_seconds\":5,\"versions\":{\"agent\":\"1.0.0\"},"
            + "\"libvirt\":{\"reachable\":true},\"spool_depth\":0,\"ssl_verify\":true";
    String result =
        "{\"command_id\":\"6f1c1f0e-5d7a-4a53-9d8e-0c3c0b7b9a11\",\"status\":\"succeeded\","
            + "\"started_at\":\"2026-12-06T10:00:00Z\",\"finished_at\":\"2026-12-06T10:00:01Z\"";
    return Stream.of(
        List.of(heartbeat, HEARTBEAT, beat + "}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"host:9100\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"host:9100\\n\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"host:9100\\r\\n\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"host:9100\\u2028\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"\\nhost:9100\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"[::1]:9100\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"prometheus_endpoint\":\"h\u00e9st:9100\"}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"newest_known_version\":\"1.0.0 \"}"),
        List.of(heartbeat, HEARTBEAT, beat.replace("1.0.0", "-1") + "}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"unknown\":1}"),
        List.of(heartbeat, HEARTBEAT, beat.replace("healthy", "fine") + "}"),
        List.of(heartbeat, HEARTBEAT, beat.replace("5", "\"5\"") + "}"),
        List.of(heartbeat, HEARTBEAT, beat.replace("5", "5.5") + "}"),
        List.of(heartbeat, HEARTBEAT, beat.replace("5", "99999999999999999999") + "}"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"vms\":[{\"name\":\"\",\"state\":\"running\"}]}"),
        List.of(
            heartbeat,
            HEARTBEAT,
            beat + ",\"vms\":[{\"name\":\"a\",\"uuid\":\"x\",\"state\":\"r\"}]}"),
        List.of(
            heartbeat, HEARTBEAT, beat + ",\"operations\":[{\"name\":\"Start\",\"version\":1}]}"),
        List.of(
            heartbeat,
            HEARTBEAT,
            beat + ",\"operations\":[{\"name\":\"start\\n\",\"version\":1}]}"),
        List.of(heartbeat, HEARTBEAT, "{\"status\":\"healthy\"}"),
        List.of(heartbeat, HEARTBEAT, "[]"),
        List.of(heartbeat, HEARTBEAT, "null"),
        List.of(heartbeat, HEARTBEAT, "{\"status\":"),
        List.of(heartbeat, HEARTBEAT, beat + "} x"),
        List.of(heartbeat, HEARTBEAT, beat + ",\"status\":\"healthy\"}"),
        List.of(results, RESULTS, result + "}"),
        List.of(results, RESULTS, result.replace("6f1c", "zz1c") + "}"),
        List.of(results, RESULTS, result.replace("10:00:01Z", "10:00:01") + "}"),
        List.of(results, RESULTS, result + ",\"error\":{\"code\":\"NOPE\",\"message\":\"m\"}}"),
        List.of(metrics, METRICS, "{\"samples\":[]}"),
        List.of(
            metrics,
            METRICS,
            "{\"samples\":[{\"timestamp\":\"2026-12-06T10:00:00Z\",\"snapshot\":1}]}"));
  }

  @ParameterizedTest
  @MethodSource("badBodies")
  void refusesExactlyWhatTheLibraryRefusedOnTheText(List<String> request) {
    String template = request.get(0);
    String path = request.get(1);
    String body = request.get(2);

    List<FieldViolation> onTree =
        TREE.violations("POST", template, path, Map.of(), "application/json", body, tree(body));
    List<FieldViolation> onText =
        LIBRARY.violations("POST", null, path, Map.of(), "application/json", body, null);

    assertThat(onTree).isEqualTo(onText);
  }

  @Test
  void aFinalLineBreakDoesNotSatisfyAnAnchoredPattern() {
    String body =
        "{\"status\":\"healthy\",\"uptime_seconds\":5,\"versions\":{\"agent\":\"1.0.0\\n\"},"
            + "\"libvirt\":{\"reachable\":true},\"spool_depth\":0,\"ssl_verify\":true}";

    List<FieldViolation> violations =
        TREE.violations(
            "POST",
            "/api/v1/agents/{agentId}/heartbeat",
            HEARTBEAT,
            Map.of(),
            "application/json",
            body,
            tree(body));

    assertThat(violations).extracting(FieldViolation::pointer).containsExactly("/versions/agent");
  }

  static Stream<List<String>> bodylessRequests() {
    String events = "/api/v1/operator/events";
    String agent = "/api/v1/operator/agents/{agentId}";
    return Stream.of(
        List.of(events, events, "type", "started"),
        List.of(events, events, "type", "started\n"),
        List.of(events, events, "after", "a".repeat(201)),
        List.of(events, events, "limit", "x"),
        List.of(events, events, "since", "yesterday"),
        List.of(events, events, "unknown", "1"),
        List.of(agent, "/api/v1/operator/agents/agent-1", "x", "1"),
        List.of(agent, "/api/v1/operator/agents/-bad", "x", "1"));
  }

  @ParameterizedTest
  @MethodSource("bodylessRequests")
  void pathAndQueryAreRefusedAsTheLibraryRefusedThem(List<String> request) {
    Map<String, List<String>> query = Map.of(request.get(2), List.of(request.get(3)));

    List<FieldViolation> onRoute = TREE.violations("GET", request.get(0), request.get(1), query);
    List<FieldViolation> onPath = LIBRARY.violations("GET", null, request.get(1), query);

    assertThat(onRoute).isEqualTo(onPath);
  }

  @Test
  void queryParametersAreCheckedWithTheSamePatterns() {
    List<FieldViolation> violations =
        TREE.violations(
            "GET",
            "/api/v1/operator/events",
            "/api/v1/operator/events",
            Map.of("type", List.of("started\n")));

    assertThat(violations).isNotEmpty();
    assertThat(violations.get(0).message()).contains("^[a-z_]{1,16}$");
  }

  static Stream<String> documentPatterns() {
    Matcher matcher = Pattern.compile("pattern: '([^']*)'").matcher(RequestValidator.loadSpec());
    List<String> patterns = new ArrayList<>();
    while (matcher.find()) {
      patterns.add(matcher.group(1));
    }
    assertThat(patterns).hasSizeGreaterThanOrEqualTo(8);
    return patterns.stream();
  }

  @ParameterizedTest
  @MethodSource("documentPatterns")
  void everyPatternOfTheDocumentMatchesAsEcmaScriptDoes(String regex) {
    Pattern java = Pattern.compile(EcmaPattern.toJava(regex));
    for (String probe :
        List.of(
            "",
            "a",
            "ab_c",
            "1.0.0",
            "start",
            "host:9100",
            "[::1]:9100",
            "ssh://h/x",
            "QUJD+/=",
            "a\n",
            "a\r\n",
            "a\r",
            "a\u2028",
            "a\u0085",
            "\na",
            "host:9100\n",
            "1.0.0\n",
            "\uD83D\uDE00",
            "a b",
            "A-Z_09",
            "x".repeat(300))) {
      assertThat(java.matcher(probe).find())
          .as("%s against %s", regex, probe.replace("\n", "\\n"))
          .isEqualTo(RegexECMA262Helper.regMatch(regex, probe));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"^a.b$", "^\\s+$", "^[^a]$", "^(?=a)a$", "^[a&&b]$", "^\\D$", "^[]a]$"})
  void constructsThatEcmaScriptAndJavaReadDifferentlyAreRefused(String regex) {
    assertThatExceptionOfType(IllegalArgumentException.class)
        .isThrownBy(() -> EcmaPattern.toJava(regex))
        .withMessageContaining(regex);
  }

  @Test
  void theEndAnchorBecomesTheEndOfInput() {
    assertThat(EcmaPattern.toJava("^(\\[[0-9A-F:.]+\\]|[a-z$]+):[0-9]{1,5}$"))
        .isEqualTo("^(\\[[0-9A-F:.]+\\]|[a-z$]+):[0-9]{1,5}\\z");
  }

  private static JsonNode tree(String body) {
    return Exchange.parse(MAPPER, body);
  }
}

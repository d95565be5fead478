package io.vmagent.agent.metrics.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Parses an exposition with the official Prometheus Python client's parsers (Debian's
 * python3-prometheus-client, installed by bin/test): a real, maintained parser, not a regex.
 */
final class ExpositionParser {
  private static final Path PYTHON = Path.of("/usr/bin/python3");

  /** One sample: its full name (with _total, _info...), its labels and its value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** One family with its type, help and samples. */
  record Family(String name, String type, String help, List<Sample> samples) {}

  private ExpositionParser() {}

  static List<Family> parse(String body, String format) throws IOException, InterruptedException {
    Path script = Files.createTempFile("parse_exposition", ".py");
    try (InputStream in =
        ExpositionParser.class.getResourceAsStream("/prometheus/parse_exposition.py")) {
      Files.write(script, in.readAllBytes());
      Process process =
          new ProcessBuilder(PYTHON.toString(), script.toString(), format)
              .redirectErrorStream(false)
              .start();
      try (OutputStream stdin = process.getOutputStream()) {
        stdin.write(body.getBytes(StandardCharsets.UTF_8));
      }
      byte[] out = process.getInputStream().readAllBytes();
      String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("parser did not finish in 30 s");
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            "the Prometheus "
                + format
                + " parser rejected the exposition (needs python3-prometheus-client): "
                + err);
      }
      return families(new ObjectMapper().readTree(out));
    } finally {
      Files.deleteIfExists(script);
    }
  }

  private static List<Family> families(JsonNode root) {
    List<Family> families = new ArrayList<>();
    for (JsonNode f : root.get("families")) {
      List<Sample> samples = new ArrayList<>();
      for (JsonNode s : f.get("samples")) {
        Map<String, String> labels = new TreeMap<>();
        s.get("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode v = s.get("value");
        samples.add(
            new Sample(s.get("name").asText(), labels, v.isTextual() ? Double.NaN : v.asDouble()));
      }
      families.add(
          new Family(
              f.get("name").asText(), f.get("type").asText(), f.get("help").asText(), samples));
    }
    return families;
  }
}

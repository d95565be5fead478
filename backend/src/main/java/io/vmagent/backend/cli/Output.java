package io.vmagent.backend.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Prints answers as aligned text tables or, with {@code --json}, as JSON. Values in tables and text
 * come from agents and operators, so every one passes through {@link Printable}: a VM name cannot
 * recolour the terminal or start a row of its own. JSON keeps every value exact.
 */
final class Output {
  private static final ObjectMapper JSON =
      ProtocolJson.strictMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static {
    JSON.getFactory().setCharacterEscapes(Printable.jsonEscapes());
  }

  private Output() {}

  static void json(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + value.getClass().getSimpleName(), e);
    }
  }

  /** One table row of raw values (null allowed); {@link #table} makes them printable. */
  static List<Object> row(Object... cells) {
    return Arrays.asList(cells);
  }

  /** Prints the rows under the header, each value through {@link #text(Object)}. */
  static void table(PrintWriter out, List<String> header, List<List<Object>> values) {
    List<List<String>> rows = new ArrayList<>();
    for (List<Object> row : values) {
      rows.add(row.stream().map(Output::text).toList());
    }
    int[] widths = new int[header.size()];
    for (int i = 0; i < header.size(); i++) {
      widths[i] = header.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    print(out, header, widths);
    for (List<String> row : rows) {
      print(out, row, widths);
    }
  }

  private static void print(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(i == 0 ? "" : "  ");
      line.append(i == cells.size() - 1 ? cells.get(i) : pad(cells.get(i), widths[i]));
    }
    out.println(line);
  }

  private static String pad(String value, int width) {
    return value + " ".repeat(width - value.length());
  }

  /** The value as printable text; {@code -} for none. */
  static String text(Object value) {
    return value == null ? "-" : Printable.escape(value.toString());
  }
}

package io.vmagent.backend.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmagent.protocol.ProtocolJson;
import java.io.PrintWriter;
import java.util.List;

/** Prints answers as aligned text tables or, with {@code --json}, as JSON. */
final class Output {
  private static final ObjectMapper JSON =
      ProtocolJson.strictMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Output() {}

  static void json(PrintWriter out, Object value) {
    try {
      out.println(JSON.writeValueAsString(value));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print " + value.getClass().getSimpleName(), e);
    }
  }

  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
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

  static String text(Object value) {
    return value == null ? "-" : value.toString();
  }
}

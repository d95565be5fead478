package io.vmagent.agent.metrics;

import java.io.PrintWriter;
import java.util.List;
import java.util.function.Function;

/**
 * One column of a table of {@code vm-agent metrics}: its header, its width (negative for
 * left-aligned), its {@link java.util.Formatter} conversion and how a row fills its cell.
 */
record Column<T>(String header, int width, char conversion, Function<T, Object> cell) {
  static <T> Column<T> text(String header, int width, Function<T, Object> cell) {
    return new Column<>(header, width, 's', cell);
  }

  static <T> Column<T> integer(String header, int width, Function<T, Object> cell) {
    return new Column<>(header, width, 'd', cell);
  }

  /** A blank line, the header line, then one line per row, columns one space apart. */
  static <T> void print(List<Column<T>> columns, List<T> rows, PrintWriter out) {
    StringBuilder header = new StringBuilder("%n");
    StringBuilder row = new StringBuilder();
    Object[] headers = new Object[columns.size()];
    for (int i = 0; i < columns.size(); i++) {
      String separator = i == 0 ? "" : " ";
      header.append(separator).append('%').append(columns.get(i).width).append('s');
      row.append(separator)
          .append('%')
          .append(columns.get(i).width)
          .append(columns.get(i).conversion);
      headers[i] = columns.get(i).header;
    }
    out.printf(header.append("%n").toString(), headers);
    String format = row.append("%n").toString();
    for (T value : rows) {
      Object[] cells = new Object[columns.size()];
      for (int i = 0; i < cells.length; i++) {
        cells[i] = columns.get(i).cell.apply(value);
      }
      out.printf(format, cells);
    }
  }
}

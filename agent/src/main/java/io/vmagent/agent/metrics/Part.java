package io.vmagent.agent.metrics;

import java.io.PrintWriter;
import java.util.List;

/**
 * A part of a snapshot, rendered by itself: its figures for a metrics exposition and its lines in
 * {@code vm-agent metrics}. Its JSON is the record itself.
 */
interface Part {
  /** Writes this part's figures, leaving out the unknown ones. */
  void expose(MetricSink out);

  /** Writes this part's lines; a row of a table has none of its own (see {@link #table}). */
  default void print(PrintWriter out) {}

  /** A list of rows as one part: each row exposes itself, and prints under the columns' header. */
  static <T extends Part> Part table(List<Column<T>> columns, List<T> rows) {
    return new Part() {
      @Override
      public void expose(MetricSink out) {
        for (T row : rows) {
          row.expose(out);
        }
      }

      @Override
      public void print(PrintWriter out) {
        if (!rows.isEmpty()) {
          Column.print(columns, rows, out);
        }
      }
    };
  }
}

package io.vmagent.agent.cli;

import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain left-aligned text table for terminal output. Cells hold names and messages from libvirt
 * and the backend, so each is made {@link Printable}: none can recolour the terminal or add a row.
 */
final class TextTable {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  TextTable(String... headers) {
    this.columns = headers.length;
    rows.add(headers);
  }

  TextTable row(Object... cells) {
    String[] row = new String[columns];
    for (int i = 0; i < columns; i++) {
      Object cell = i < cells.length ? cells[i] : null;
      row[i] = cell == null ? "-" : Printable.escape(cell.toString());
    }
    rows.add(row);
    return this;
  }

  void print(PrintWriter out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}

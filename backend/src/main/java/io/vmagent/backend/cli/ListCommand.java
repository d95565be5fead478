package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** An operator command that lists items: a table, or with {@code --json} the items as JSON. */
abstract class ListCommand<T> extends OperatorCommand {
  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Override
  final int call(OperatorClient client) throws Exception {
    List<T> items = list(client);
    if (json) {
      Output.json(out(), items);
      return 0;
    }
    List<List<Object>> rows = new ArrayList<>();
    for (T item : items) {
      rows.add(row(item));
    }
    Output.table(out(), header(), rows);
    return 0;
  }

  /** The items, from the backend. */
  abstract List<T> list(OperatorClient client) throws Exception;

  /** The table's column names. */
  abstract List<String> header();

  /** One item's cells, in the order of {@link #header()}. */
  abstract List<Object> row(T item);
}

package io.vmagent.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import picocli.CommandLine.Option;

/** {@code --json}: print the operation's result as the JSON the backend receives. */
final class OutputOptions {
  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static {
    // Exact values; DEL, C1 and bidi controls get JSON's unicode escapes, as C0 controls do.
    MAPPER.getFactory().setCharacterEscapes(Printable.jsonEscapes());
  }

  @Option(names = "--json", description = "Print the result as JSON instead of a table.")
  boolean json;

  /** Prints {@code result} as JSON when asked, else with {@code table}. */
  <T> void print(PrintWriter out, T result, java.util.function.BiConsumer<T, PrintWriter> table) {
    if (json) {
      try {
        out.println(MAPPER.writeValueAsString(result));
      } catch (JsonProcessingException e) {
        throw new CommandFailure(ExitCodes.FAILED, "cannot print the result as JSON: " + e, e);
      }
    } else {
      table.accept(result, out);
    }
    out.flush();
  }
}

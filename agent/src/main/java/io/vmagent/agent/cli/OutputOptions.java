package io.vmagent.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.util.Map;
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

  /**
   * Prints a failure as {@code {"error":{"code":...,"message":...}}}: the shape of the {@code
   * error} member of a command's result, so a script reads one shape from the agent and the
   * backend.
   */
  static void printError(PrintWriter out, CommandFailure failure) {
    try {
      out.println(
          MAPPER.writeValueAsString(
              Map.of("error", new CommandError(failure.code(), failure.detail()))));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot print an error object", e);
    }
    out.flush();
  }

  /** Prints {@code result} as JSON when asked, else with {@code table}. */
  <T> void print(PrintWriter out, T result, java.util.function.BiConsumer<T, PrintWriter> table) {
    if (json) {
      try {
        out.println(MAPPER.writeValueAsString(result));
      } catch (JsonProcessingException e) {
        throw new CommandFailure(
            ExitCodes.FAILED, ErrorCode.INTERNAL, "cannot print the result as JSON: " + e, e);
      }
    } else {
      table.accept(result, out);
    }
    out.flush();
  }
}

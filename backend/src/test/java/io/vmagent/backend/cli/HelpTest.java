package io.vmagent.backend.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command of vm-backend, found in its command tree, answers -h, --help and help. */
class HelpTest {
  static Stream<List<String>> everyCommand() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), List.of(), paths);
    return paths.stream();
  }

  private static void collect(CommandLine cli, List<String> path, List<List<String>> paths) {
    paths.add(path);
    cli.getSubcommands()
        .forEach(
            (name, sub) ->
                collect(sub, Stream.concat(path.stream(), Stream.of(name)).toList(), paths));
  }

  /** Runs vm-backend; returns the exit status, standard output and standard error. */
  private static List<String> run(Stream<String> args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit =
        Main.run(
            new PrintWriter(out, true), new PrintWriter(err, true), args.toArray(String[]::new));
    return List.of(String.valueOf(exit), out.toString(), err.toString());
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void everyCommandAnswersItsHelpOptionsAndTheHelpCommand(List<String> path) {
    List<Stream<String>> forms =
        new ArrayList<>(
            List.of(
                Stream.concat(path.stream(), Stream.of("--help")),
                Stream.concat(path.stream(), Stream.of("-h")),
                Stream.concat(Stream.of("help"), path.stream())));
    if (!path.isEmpty()) {
      forms.add(
          Stream.concat(
              path.subList(0, path.size() - 1).stream(),
              Stream.of("help", path.get(path.size() - 1))));
    }
    String usage =
        "Usage: "
            + String.join(" ", Stream.concat(Stream.of("vm-backend"), path.stream()).toList());
    for (Stream<String> form : forms) {
      List<String> result = run(form);
      assertThat(result.get(0)).as("%s: %s", path, result.get(2)).isEqualTo("0");
      assertThat(result.get(1)).as("%s", path).startsWith(usage);
      assertThat(result.get(2)).as("%s", path).isEmpty();
    }
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void helpForAnUnknownCommandIsAUsageError(List<String> path) {
    List<String> result =
        run(
            Stream.concat(
                Stream.concat(Stream.of("help"), path.stream()), Stream.of("no-such\u001b")));

    assertThat(result.get(0)).isEqualTo("2");
    assertThat(result.get(1)).isEmpty();
    assertThat(result.get(2)).contains("Unknown command: 'no-such\\e'");
  }
}

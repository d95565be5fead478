package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/** Every command, found by walking the command tree, answers -h, --help and help COMMAND. */
class HelpTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** The path of every command below the top, e.g. [vm, snapshot, create]; [] for the top. */
  static Stream<List<String>> everyCommand() {
    List<List<String>> paths = new ArrayList<>();
    walk(VmAgentCommand.commandLine(), new ArrayList<>(), paths);
    return paths.stream();
  }

  private static void walk(CommandLine cli, List<String> path, List<List<String>> paths) {
    paths.add(List.copyOf(path));
    cli.getSubcommands()
        .forEach(
            (name, sub) -> {
              List<String> next = new ArrayList<>(path);
              next.add(name);
              walk(sub, next, paths);
            });
  }

  private int run(List<String> args) {
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args.toArray(new String[0]));
  }

  private static List<String> plus(List<String> a, String... b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(List.of(b));
    return all;
  }

  private void assertUsage(List<String> args, List<String> path) {
    out.getBuffer().setLength(0);
    err.getBuffer().setLength(0);

    int exit = run(args);

    String command = String.join(" ", plus(List.of("vm-agent"), path.toArray(new String[0])));
    assertThat(exit).as("%s: %s", args, err).isZero();
    assertThat(out.toString()).as("%s", args).startsWith("Usage: " + command);
    assertThat(err.toString()).as("%s", args).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void everyCommandAnswersItsHelpOptionsAndTheHelpCommand(List<String> path) {
    assertUsage(plus(path, "--help"), path);
    assertUsage(plus(path, "-h"), path);
    assertUsage(plus(List.of("help"), path.toArray(new String[0])), path);
    if (!path.isEmpty()) {
      List<String> parent = path.subList(0, path.size() - 1);
      assertUsage(plus(parent, "help", path.get(path.size() - 1)), path);
    }
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void helpForAnUnknownCommandIsAUsageError(List<String> path) {
    int exit = run(plus(plus(List.of("help"), path.toArray(new String[0])), "no-such\u001b"));

    assertThat(exit).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("Unknown command: 'no-such\\e'");
    assertThat(out.toString()).isEmpty();
  }
}

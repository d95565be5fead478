package io.vmagent.backend.cli;

import io.vmagent.backend.client.BackendApiException;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.ErrorCode;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.Arrays;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code vm-backend} command: the server and the operator's tools. */
@Command(
    name = "vm-backend",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Reference backend of the vm-agent protocol and its operator tools.",
    subcommands = {
      ServeCommand.class,
      TokenCommand.class,
      AgentsCommand.class,
      VmsCommand.class,
      OpCommand.class,
      CommandsCommand.class,
      EventsCommand.class,
      MetricsCommand.class,
      CertCommand.class,
      HelpCommand.class
    })
public final class Main implements Runnable {
  /** Exit status when the backend refused a request or could not be reached. */
  static final int EXIT_BACKEND = 3;

  /** Exit status of {@code op --wait} when the command failed or did not finish. */
  static final int EXIT_COMMAND_FAILED = 4;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Runs the command line and returns its exit status. */
  public static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = commandLine();
    cli.setOut(out);
    cli.setErr(err);
    return cli.execute(args);
  }

  /** The configured command line, shared by {@link #run} and the tests. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          ErrorCode code;
          int status;
          if (e instanceof BackendApiException || e instanceof java.io.IOException) {
            code =
                e instanceof BackendApiException api ? api.code() : ErrorCode.BACKEND_UNAVAILABLE;
            status = EXIT_BACKEND;
          } else if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            code = ErrorCode.INVALID_ARGUMENT;
            status = CommandLine.ExitCode.USAGE;
          } else {
            throw e;
          }
          boolean json =
              commandLine.getParseResult() != null
                  && commandLine.getParseResult().hasMatchedOption("--json");
          report(commandLine, code, json ? detail(e) : e.getMessage(), json);
          return status;
        });
    CommandLine.IParameterExceptionHandler usage = cli.getParameterExceptionHandler();
    cli.setParameterExceptionHandler(
        (e, args) -> {
          CommandLine commandLine = e.getCommandLine();
          if (!Arrays.asList(args).contains("--json")
              || commandLine.getCommandSpec().findOption("--json") == null) {
            return usage.handleParseException(e, args);
          }
          report(commandLine, ErrorCode.INVALID_ARGUMENT, e.getMessage(), true);
          return CommandLine.ExitCode.USAGE;
        });
    return cli;
  }

  /** The message without the status and code the JSON error carries apart. */
  private static String detail(Exception e) {
    if (e instanceof BackendApiException api && api.problem() != null) {
      return api.problem().detail() != null ? api.problem().detail() : api.problem().title();
    }
    return e.getMessage();
  }

  /**
   * Says why a command failed: as text on standard error, or with --json as {@code
   * {"error":{"code":...,"message":...}}} on standard output, the shape of a command result's error
   * and of the agent's errors. Messages carry problem details and file names, which may hold
   * anyone's text: the text is made printable, the JSON escapes the same characters.
   */
  private static void report(CommandLine cli, ErrorCode code, String message, boolean json) {
    if (json) {
      Output.json(cli.getOut(), Map.of("error", new CommandError(code, message)));
    } else {
      cli.getErr().println("vm-backend: " + Output.text(message));
    }
  }

  /** Entry point. */
  public static void main(String[] args) {
    // The platform's charset, as the terminal expects.
    PrintWriter out =
        new PrintWriter(new OutputStreamWriter(System.out, Charset.defaultCharset()), true);
    PrintWriter err =
        new PrintWriter(new OutputStreamWriter(System.err, Charset.defaultCharset()), true);
    System.exit(run(out, err, args));
  }

  /** Reads the version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"vm-backend " + (version == null ? "dev" : version)};
    }
  }
}

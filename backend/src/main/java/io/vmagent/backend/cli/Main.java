package io.vmagent.backend.cli;

import io.vmagent.backend.client.BackendApiException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
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
      CertCommand.class
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
    CommandLine cli = new CommandLine(new Main());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          // Messages carry problem details and file names, which may hold anyone's text.
          if (e instanceof BackendApiException || e instanceof java.io.IOException) {
            commandLine.getErr().println("vm-backend: " + Output.text(e.getMessage()));
            return EXIT_BACKEND;
          }
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            commandLine.getErr().println("vm-backend: " + Output.text(e.getMessage()));
            return CommandLine.ExitCode.USAGE;
          }
          throw e;
        });
    return cli.execute(args);
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

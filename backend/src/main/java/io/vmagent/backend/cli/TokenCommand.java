package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.BootstrapTokenCreated;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vm-backend token}: bootstrap tokens (the agents' AGENT_TOKEN). */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Create, list and revoke bootstrap tokens.",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class
    })
final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a bootstrap token; prints its secret once.")
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Option(names = "--single-use", description = "Only one agent may register with it.")
    boolean singleUse;

    @Option(
        names = "--expires-in",
        paramLabel = "DURATION",
        converter = Durations.Lifetime.class,
        description = "Lifetime, e.g. 24h, at most 365d (default: no expiry).")
    Duration expiresIn;

    @Option(names = "--description", paramLabel = "TEXT", description = "What the token is for.")
    String description;

    @Option(
        names = "--max-agents",
        paramLabel = "N",
        description = "How many agents it may ever create (default: no limit).")
    Integer maxAgents;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      OperatorClient client = connection.client();
      BootstrapTokenCreated token =
          client.createBootstrapToken(
              new CreateBootstrapTokenRequest(
                  description,
                  singleUse,
                  expiresIn == null ? null : expiresIn.toSeconds(),
                  maxAgents));
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, token);
      } else {
        out.println(token.token());
        spec.commandLine()
            .getErr()
            .println(
                "token "
                    + token.id()
                    + (token.singleUse() ? " (single use)" : "")
                    + (token.expiresAt() == null ? "" : ", expires " + token.expiresAt())
                    + "; give it to the agent as AGENT_TOKEN, it is not shown again");
      }
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List bootstrap tokens (without secrets).")
  static final class ListTokens implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      List<BootstrapTokenInfo> tokens = connection.client().listBootstrapTokens();
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, tokens);
        return 0;
      }
      List<List<Object>> rows = new ArrayList<>();
      for (BootstrapTokenInfo t : tokens) {
        rows.add(
            Output.row(
                t.id(),
                t.singleUse() ? "single" : "multi",
                t.expiresAt(),
                t.usedByAgent(),
                t.revoked() ? "revoked" : "active",
                t.description()));
      }
      Output.table(out, List.of("ID", "USE", "EXPIRES", "USED BY", "STATE", "DESCRIPTION"), rows);
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a bootstrap token.")
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(paramLabel = "ID", description = "The token's id.")
    String id;

    @Override
    public Integer call() throws Exception {
      BootstrapTokenInfo token = connection.client().revokeBootstrapToken(id);
      spec.commandLine().getOut().println("token " + Output.text(token.id()) + " revoked");
      return 0;
    }
  }
}

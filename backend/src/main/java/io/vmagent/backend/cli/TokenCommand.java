package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.BootstrapTokenCreated;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-backend token}: bootstrap tokens (the agents' AGENT_TOKEN). */
@Command(
    name = "token",
    mixinStandardHelpOptions = true,
    description = "Create, list and revoke bootstrap tokens.",
    subcommands = {
      TokenCommand.Create.class,
      TokenCommand.ListTokens.class,
      TokenCommand.Revoke.class,
      HelpCommand.class
    })
final class TokenCommand extends CommandGroup {
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Create a bootstrap token; prints its secret once.")
  static final class Create extends OperatorCommand {
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
    int call(OperatorClient client) throws Exception {
      BootstrapTokenCreated token =
          client.createBootstrapToken(
              new CreateBootstrapTokenRequest(
                  description,
                  singleUse,
                  expiresIn == null ? null : expiresIn.toSeconds(),
                  maxAgents));
      if (json) {
        Output.json(out(), token);
      } else {
        out().println(token.token());
        err()
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
  static final class ListTokens extends ListCommand<BootstrapTokenInfo> {
    @Override
    List<BootstrapTokenInfo> list(OperatorClient client) throws Exception {
      return client.listBootstrapTokens();
    }

    @Override
    List<String> header() {
      return List.of("ID", "USE", "EXPIRES", "USED BY", "STATE", "DESCRIPTION");
    }

    @Override
    List<Object> row(BootstrapTokenInfo t) {
      return Output.row(
          t.id(),
          t.singleUse() ? "single" : "multi",
          t.expiresAt(),
          t.usedByAgent(),
          t.revoked() ? "revoked" : "active",
          t.description());
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = "Revoke a bootstrap token.")
  static final class Revoke extends OperatorCommand {
    @Parameters(paramLabel = "ID", description = "The token's id.")
    String id;

    @Override
    int call(OperatorClient client) throws Exception {
      BootstrapTokenInfo token = client.revokeBootstrapToken(id);
      out().println("token " + Output.text(token.id()) + " revoked");
      return 0;
    }
  }
}

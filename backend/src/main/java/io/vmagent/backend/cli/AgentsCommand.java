package io.vmagent.backend.cli;

import io.vmagent.protocol.AgentStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code vm-backend agents}: the registered agents. */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description = "List, show, revoke and reset agents.",
    subcommands = {
      AgentsCommand.ListAgents.class,
      AgentsCommand.Show.class,
      AgentsCommand.Revoke.class,
      AgentsCommand.Reset.class
    })
final class AgentsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Every agent with its status and last heartbeat.")
  static final class ListAgents implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      List<AgentStatus> agents = connection.client().listAgents();
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, agents);
        return 0;
      }
      List<List<Object>> rows = new ArrayList<>();
      for (AgentStatus a : agents) {
        rows.add(
            Output.row(
                a.agentId(),
                a.name(),
                a.hostname(),
                a.connectivity().wire(),
                a.health() == null ? null : a.health().wire(),
                a.lastHeartbeatAt(),
                key(a)));
      }
      Output.table(
          out, List.of("ID", "NAME", "HOST", "STATUS", "HEALTH", "LAST HEARTBEAT", "KEY"), rows);
      return 0;
    }
  }

  /**
   * The key the agent's id is bound to, as operators compare it (the fingerprint's start), or why
   * there is none: an agent of protocol 1, or an identity an operator released.
   */
  static String key(AgentStatus agent) {
    if (agent.identityReleasedAt() != null) {
      return "released";
    }
    return agent.keyFingerprint() == null ? "none" : agent.keyFingerprint().substring(0, 11);
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "One agent in full (JSON).")
  static final class Show implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(paramLabel = "ID", description = "The agent's id.")
    String id;

    @Override
    public Integer call() throws Exception {
      Output.json(spec.commandLine().getOut(), connection.client().showAgent(id));
      return 0;
    }
  }

  @Command(
      name = "revoke",
      mixinStandardHelpOptions = true,
      description = {
        "Revoke an agent: its tokens and certificates stop working at once, it cannot register"
            + " again, and the bootstrap token it registered with is revoked too (a revoked host"
            + " must be assumed to hold it). Agents already registered with that token keep"
            + " working; hosts not yet enrolled need a new one."
      })
  static final class Revoke implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(paramLabel = "ID", description = "The agent's id.")
    String id;

    @Option(
        names = "--keep-token",
        description = "Keep the bootstrap token it registered with usable.")
    boolean keepToken;

    @Override
    public Integer call() throws Exception {
      AgentStatus agent = connection.client().revokeAgent(id, keepToken);
      spec.commandLine()
          .getOut()
          .println(
              "agent "
                  + Output.text(agent.agentId())
                  + " revoked"
                  + (keepToken
                      ? "; its bootstrap token is kept"
                      : "; the bootstrap token it registered with, when known, is revoked too"
                          + " (see 'token list')"));
      return 0;
    }
  }

  @Command(
      name = "reset",
      mixinStandardHelpOptions = true,
      description = {
        "Release an agent's identity, for a host that was reinstalled and lost its key: its tokens"
            + " and certificates stop working at once, and its next registration with a bootstrap"
            + " token binds the new key, once. Its history stays."
      })
  static final class Reset implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(paramLabel = "ID", description = "The agent's id.")
    String id;

    @Override
    public Integer call() throws Exception {
      AgentStatus agent = connection.client().resetAgent(id);
      spec.commandLine()
          .getOut()
          .println(
              "agent "
                  + Output.text(agent.agentId())
                  + " released: its next registration with a bootstrap token binds a new key");
      return 0;
    }
  }
}

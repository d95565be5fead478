package io.vmagent.backend.cli;

import io.vmagent.backend.client.BackendApiException;
import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.DrainView;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HealthStatus;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-backend agents}: the registered agents. */
@Command(
    name = "agents",
    mixinStandardHelpOptions = true,
    description = "List, show, revoke, reset and drain agents.",
    subcommands = {
      AgentsCommand.ListAgents.class,
      AgentsCommand.Show.class,
      AgentsCommand.Revoke.class,
      AgentsCommand.Reset.class,
      DrainCommand.class,
      HelpCommand.class
    })
final class AgentsCommand extends CommandGroup {
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Every agent with its status and last heartbeat.")
  static final class ListAgents extends ListCommand<AgentStatus> {
    @Override
    List<AgentStatus> list(OperatorClient client) throws Exception {
      return client.listAgents();
    }

    @Override
    List<String> header() {
      return List.of("ID", "NAME", "HOST", "STATUS", "HEALTH", "LAST HEARTBEAT", "CLOCK", "KEY");
    }

    @Override
    List<Object> row(AgentStatus a) {
      return Output.row(
          a.agentId(),
          a.name(),
          a.hostname(),
          a.connectivity().wire(),
          health(a),
          a.lastHeartbeatAt(),
          clock(a),
          key(a));
    }
  }

  /**
   * The agent's health as it judged it in its last heartbeat; when degraded, followed by what each
   * reason is about (the text before its first colon, such as {@code disk_space_low}), the full
   * reasons being in {@code agents show}.
   */
  static String health(AgentStatus agent) {
    if (agent.health() == null) {
      return null;
    }
    if (agent.health() != HealthStatus.DEGRADED || agent.reasons().isEmpty()) {
      return agent.health().wire();
    }
    return agent.health().wire()
        + ": "
        + agent.reasons().stream()
            .map(r -> r.contains(":") ? r.substring(0, r.indexOf(':')) : r)
            .distinct()
            .collect(Collectors.joining(", "));
  }

  /**
   * How far the agent's clock was from the backend's at its last heartbeat ({@code +1.2s}: ahead),
   * marked {@code unsynced} when its host said its clock is not synchronised; null when unknown.
   */
  static String clock(AgentStatus agent) {
    if (agent.clockOffsetMs() == null) {
      return null;
    }
    String offset = String.format(java.util.Locale.ROOT, "%+.1fs", agent.clockOffsetMs() / 1000.0);
    return Boolean.FALSE.equals(agent.clockSynchronized()) ? offset + " unsynced" : offset;
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
      description = {
        "One agent in full (JSON); when it is being drained, its moves follow (JSON, on the"
            + " standard error, so the standard output stays the agent alone)."
      })
  static final class Show extends OperatorCommand {
    @Parameters(paramLabel = "ID", description = "The agent's id.")
    String id;

    @Override
    int call(OperatorClient client) throws Exception {
      Output.json(out(), client.showAgent(id));
      DrainView drain;
      try {
        drain = client.drain(id);
      } catch (BackendApiException e) {
        if (e.code() == ErrorCode.NOT_FOUND) {
          return 0;
        }
        throw e;
      }
      err().println("agent " + Output.text(id) + " is being drained:");
      Output.json(err(), drain);
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
  static final class Revoke extends OperatorCommand {
    @Parameters(paramLabel = "ID", description = "The agent's id.")
    String id;

    @Option(
        names = "--keep-token",
        description = "Keep the bootstrap token it registered with usable.")
    boolean keepToken;

    @Override
    int call(OperatorClient client) throws Exception {
      AgentStatus agent = client.revokeAgent(id, keepToken);
      out()
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
  static final class Reset extends OperatorCommand {
    @Parameters(paramLabel = "ID", description = "The agent's id.")
    String id;

    @Override
    int call(OperatorClient client) throws Exception {
      AgentStatus agent = client.resetAgent(id);
      out()
          .println(
              "agent "
                  + Output.text(agent.agentId())
                  + " released: its next registration with a bootstrap token binds a new key");
      return 0;
    }
  }
}

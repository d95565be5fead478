package io.vmagent.protocol;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The paths of the protocol (see {@link #OPENAPI_RESOURCE}); templates use {@code {agentId}} and
 * {@code {commandId}}, filled in by the helper methods.
 */
public final class ProtocolPaths {
  private ProtocolPaths() {}

  /** The classpath resource holding the OpenAPI document, the contract's single source. */
  public static final String OPENAPI_RESOURCE = "/openapi/vm-agent-api.yaml";

  /** The prefix of every versioned path. */
  public static final String API_V1 = "/api/v1";

  /** What a valid agent id looks like. */
  public static final Pattern AGENT_ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  /** The longest long-poll wait the backend honours, in seconds. */
  public static final int MAX_WAIT_SECONDS = 30;

  /** The most commands one poll can lease. */
  public static final int MAX_COMMANDS_PER_POLL = 50;

  /**
   * The protocol version this build speaks. 1: bootstrap tokens only; 2: key-bound identities,
   * proofs of possession and client certificates; 3: the event types {@code rebooted} and {@code
   * other}, VM states spelled as {@link VmStates} names them, and operations advertised with the
   * versions of their parameter sets, at registration and in the first heartbeat after each start;
   * the clock offset and the agent's Prometheus endpoint in the heartbeat (answers carry {@code
   * server_time} and {@code expires_in} whatever the version); 4: the ids of leased commands an
   * operator asked to cancel in the poll and heartbeat answers, the error code {@code CANCELLED},
   * the agent's clock offset on every event and metrics sample, and the migration endpoint at
   * registration. A peer that names no version speaks 1.
   */
  public static final int PROTOCOL_VERSION = 4;

  /**
   * How far before its issue a certificate the backend signs becomes valid (its notBefore), so a
   * peer whose clock is this much behind the issuer's still accepts it.
   */
  public static final Duration CERTIFICATE_BACKDATE = Duration.ofHours(3);

  /** The URI SAN prefix naming an agent in a client certificate. */
  public static final String AGENT_URI_PREFIX = "urn:vm-agent:agent:";

  /** The URI SAN prefix naming an operator in a client certificate. */
  public static final String OPERATOR_URI_PREFIX = "urn:vm-agent:operator:";

  /** The header carrying credentials ({@code Bearer TOKEN}). */
  public static final String AUTHORIZATION = "Authorization";

  // Agent calls.
  public static final String REGISTER = API_V1 + "/agents/register";
  public static final String BOOTSTRAP_TOKEN_CHECK = API_V1 + "/agents/bootstrap-token";
  public static final String REFRESH = API_V1 + "/auth/refresh";
  public static final String CHALLENGE = API_V1 + "/agents/{agentId}/challenge";
  public static final String CERTIFICATE = API_V1 + "/agents/{agentId}/certificate";
  public static final String HEARTBEAT = API_V1 + "/agents/{agentId}/heartbeat";
  public static final String COMMANDS = API_V1 + "/agents/{agentId}/commands";
  public static final String RESULTS = API_V1 + "/agents/{agentId}/results";
  public static final String METRICS = API_V1 + "/agents/{agentId}/metrics";
  public static final String EVENTS = API_V1 + "/agents/{agentId}/events";
  public static final String AGENT_STATUS = API_V1 + "/agents/{agentId}/status";
  public static final String LATEST_VERSION = API_V1 + "/updates/latest";

  // Public calls.
  public static final String STATUS_OVERVIEW = "/api/agent/status";
  public static final String HEALTH = API_V1 + "/health";
  public static final String JWKS = API_V1 + "/jwks.json";

  // The backend's own metrics (Prometheus text format): loopback callers or an operator.
  public static final String BACKEND_METRICS = "/metrics";

  // Operator calls.
  public static final String OPERATOR_COMMANDS = API_V1 + "/operator/commands";
  public static final String OPERATOR_COMMAND = API_V1 + "/operator/commands/{commandId}";
  public static final String OPERATOR_COMMAND_CANCEL = OPERATOR_COMMAND + "/cancel";
  public static final String OPERATOR_MIGRATIONS = API_V1 + "/operator/migrations";
  public static final String OPERATOR_MIGRATION = API_V1 + "/operator/migrations/{migrationId}";
  public static final String OPERATOR_AGENTS = API_V1 + "/operator/agents";
  public static final String OPERATOR_AGENT = API_V1 + "/operator/agents/{agentId}";
  public static final String OPERATOR_AGENT_REVOKE = API_V1 + "/operator/agents/{agentId}/revoke";
  public static final String OPERATOR_AGENT_RESET = API_V1 + "/operator/agents/{agentId}/reset";
  public static final String OPERATOR_AGENT_DRAIN = API_V1 + "/operator/agents/{agentId}/drain";
  public static final String OPERATOR_VMS = API_V1 + "/operator/vms";
  public static final String OPERATOR_EVENTS = API_V1 + "/operator/events";
  public static final String OPERATOR_METRICS_HISTORY = API_V1 + "/operator/metrics/history";
  public static final String OPERATOR_TOKENS = API_V1 + "/operator/tokens";
  public static final String OPERATOR_TOKEN_REVOKE = API_V1 + "/operator/tokens/{tokenId}/revoke";
  public static final String OPERATOR_PROMETHEUS_TARGETS = API_V1 + "/operator/prometheus/targets";

  /** {@link #CHALLENGE} for this agent. */
  public static String challenge(String agentId) {
    return forAgent(CHALLENGE, agentId);
  }

  /** {@link #CERTIFICATE} for this agent. */
  public static String certificate(String agentId) {
    return forAgent(CERTIFICATE, agentId);
  }

  /** {@link #OPERATOR_AGENT_RESET} for this agent. */
  public static String operatorAgentReset(String agentId) {
    return forAgent(OPERATOR_AGENT_RESET, agentId);
  }

  /** {@link #OPERATOR_AGENT_DRAIN} for this agent. */
  public static String operatorAgentDrain(String agentId) {
    return forAgent(OPERATOR_AGENT_DRAIN, agentId);
  }

  /** {@link #HEARTBEAT} for this agent. */
  public static String heartbeat(String agentId) {
    return forAgent(HEARTBEAT, agentId);
  }

  /** {@link #COMMANDS} for this agent, with the long-poll wait in seconds. */
  public static String commands(String agentId, int waitSeconds) {
    return forAgent(COMMANDS, agentId) + "?wait=" + waitSeconds;
  }

  /** {@link #RESULTS} for this agent. */
  public static String results(String agentId) {
    return forAgent(RESULTS, agentId);
  }

  /** {@link #METRICS} for this agent. */
  public static String metrics(String agentId) {
    return forAgent(METRICS, agentId);
  }

  /** {@link #EVENTS} for this agent. */
  public static String events(String agentId) {
    return forAgent(EVENTS, agentId);
  }

  /** {@link #AGENT_STATUS} for this agent. */
  public static String agentStatus(String agentId) {
    return forAgent(AGENT_STATUS, agentId);
  }

  /** {@link #LATEST_VERSION} with the caller's version. */
  public static String latestVersion(String currentVersion) {
    return LATEST_VERSION + "?current=" + encode(currentVersion);
  }

  /** {@link #OPERATOR_COMMAND} for this command. */
  public static String operatorCommand(String commandId) {
    return OPERATOR_COMMAND.replace("{commandId}", encode(commandId));
  }

  /** {@link #OPERATOR_MIGRATION} for this migration. */
  public static String operatorMigration(String migrationId) {
    return OPERATOR_MIGRATION.replace("{migrationId}", encode(migrationId));
  }

  /** {@link #OPERATOR_COMMAND_CANCEL} for this command. */
  public static String operatorCommandCancel(String commandId) {
    return OPERATOR_COMMAND_CANCEL.replace("{commandId}", encode(commandId));
  }

  /**
   * {@link #OPERATOR_COMMANDS} with these query parameters (those with a null value left out), in
   * their order.
   */
  public static String operatorCommands(java.util.Map<String, String> query) {
    return withQuery(OPERATOR_COMMANDS, query);
  }

  /** {@link #OPERATOR_EVENTS} with these query parameters (those with a null value left out). */
  public static String operatorEvents(java.util.Map<String, String> query) {
    return withQuery(OPERATOR_EVENTS, query);
  }

  /**
   * {@link #OPERATOR_METRICS_HISTORY} with these query parameters (those with a null value left
   * out).
   */
  public static String operatorMetricsHistory(java.util.Map<String, String> query) {
    return withQuery(OPERATOR_METRICS_HISTORY, query);
  }

  private static String withQuery(String base, java.util.Map<String, String> query) {
    StringBuilder path = new StringBuilder(base);
    char separator = '?';
    for (java.util.Map.Entry<String, String> parameter : query.entrySet()) {
      if (parameter.getValue() != null) {
        path.append(separator).append(parameter.getKey()).append('=');
        path.append(encode(parameter.getValue()));
        separator = '&';
      }
    }
    return path.toString();
  }

  /** {@link #OPERATOR_AGENT} for this agent. */
  public static String operatorAgent(String agentId) {
    return forAgent(OPERATOR_AGENT, agentId);
  }

  /** {@link #OPERATOR_AGENT_REVOKE} for this agent. */
  public static String operatorAgentRevoke(String agentId) {
    return forAgent(OPERATOR_AGENT_REVOKE, agentId);
  }

  /** {@link #OPERATOR_TOKEN_REVOKE} for this token. */
  public static String operatorTokenRevoke(String tokenId) {
    return OPERATOR_TOKEN_REVOKE.replace("{tokenId}", encode(tokenId));
  }

  /** One page of {@link #OPERATOR_AGENTS}: {@code limit} agents with ids after {@code after}. */
  public static String operatorAgents(String after, int limit) {
    return OPERATOR_AGENTS + "?limit=" + limit + (after == null ? "" : "&after=" + encode(after));
  }

  private static String forAgent(String template, String agentId) {
    return template.replace("{agentId}", encode(agentId));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

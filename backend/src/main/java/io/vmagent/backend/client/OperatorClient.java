package io.vmagent.backend.client;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmagent.protocol.AgentList;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.BootstrapTokenCreated;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.BootstrapTokenList;
import io.vmagent.protocol.CommandList;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.DrainRequest;
import io.vmagent.protocol.DrainView;
import io.vmagent.protocol.EventList;
import io.vmagent.protocol.MetricsHistory;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.MigrationView;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.StatusOverview;
import io.vmagent.protocol.VmList;
import io.vmagent.protocol.VmView;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/** The operator API over HTTPS, as used by the command line, tests and scripts. */
public final class OperatorClient {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private final URI baseUrl;
  private final String operatorToken;
  private final HttpClient http;
  private final ObjectMapper mapper = ProtocolJson.tolerantMapper();

  private OperatorClient(URI baseUrl, String operatorToken, SSLContext tls) {
    this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl == null");
    this.operatorToken = Objects.requireNonNull(operatorToken, "operatorToken == null");
    this.http =
        HttpClient.newBuilder()
            .sslContext(tls)
            .connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /** A client for the backend at {@code baseUrl} whose certificate chains to {@code caPem}. */
  public static OperatorClient create(URI baseUrl, Path caPem, String operatorToken)
      throws IOException {
    return new OperatorClient(baseUrl, operatorToken, TlsTrust.trusting(caPem));
  }

  /** A client using this TLS context (for example one with a client certificate). */
  public static OperatorClient create(URI baseUrl, SSLContext tls, String operatorToken) {
    return new OperatorClient(baseUrl, operatorToken, tls);
  }

  /** Creates a bootstrap token. */
  public BootstrapTokenCreated createBootstrapToken(CreateBootstrapTokenRequest request)
      throws IOException {
    return send("POST", ProtocolPaths.OPERATOR_TOKENS, request, BootstrapTokenCreated.class, 0);
  }

  /** Lists bootstrap tokens. */
  public List<BootstrapTokenInfo> listBootstrapTokens() throws IOException {
    return send("GET", ProtocolPaths.OPERATOR_TOKENS, null, BootstrapTokenList.class, 0).tokens();
  }

  /** Revokes a bootstrap token. */
  public BootstrapTokenInfo revokeBootstrapToken(String tokenId) throws IOException {
    return send(
        "POST", ProtocolPaths.operatorTokenRevoke(tokenId), null, BootstrapTokenInfo.class, 0);
  }

  /** Every agent, ordered by id, read a page at a time. */
  public List<AgentStatus> listAgents() throws IOException {
    List<AgentStatus> all = new ArrayList<>();
    AgentList page = agentPage(null, AgentList.MAX_PAGE);
    all.addAll(page.agents());
    while (page.next() != null) {
      page = agentPage(page.next(), AgentList.MAX_PAGE);
      all.addAll(page.agents());
    }
    return all;
  }

  /** One page of agents: up to {@code limit} with ids after {@code after} (null: the first). */
  public AgentList agentPage(String after, int limit) throws IOException {
    return send("GET", ProtocolPaths.operatorAgents(after, limit), null, AgentList.class, 0);
  }

  /** One agent. */
  public AgentStatus showAgent(String agentId) throws IOException {
    return send("GET", ProtocolPaths.operatorAgent(agentId), null, AgentStatus.class, 0);
  }

  /** Revokes an agent and the bootstrap token it registered with. */
  public AgentStatus revokeAgent(String agentId) throws IOException {
    return revokeAgent(agentId, false);
  }

  /** Revokes an agent; with {@code keepToken} its bootstrap token stays usable. */
  public AgentStatus revokeAgent(String agentId, boolean keepToken) throws IOException {
    return send(
        "POST",
        ProtocolPaths.operatorAgentRevoke(agentId) + (keepToken ? "?keep_token=true" : ""),
        null,
        AgentStatus.class,
        0);
  }

  /** Releases an agent's identity for one registration with a new key. */
  public AgentStatus resetAgent(String agentId) throws IOException {
    return send("POST", ProtocolPaths.operatorAgentReset(agentId), null, AgentStatus.class, 0);
  }

  /** VMs as last reported; {@code agentId} null for all agents. */
  public List<VmView> listVms(String agentId) throws IOException {
    String path =
        agentId == null
            ? ProtocolPaths.OPERATOR_VMS
            : ProtocolPaths.OPERATOR_VMS
                + "?agent_id="
                + URLEncoder.encode(agentId, StandardCharsets.UTF_8);
    return send("GET", path, null, VmList.class, 0).vms();
  }

  /** The fleet overview with every agent. */
  public StatusOverview overview() throws IOException {
    return send("GET", ProtocolPaths.STATUS_OVERVIEW, null, StatusOverview.class, 0);
  }

  /** Queues a command. */
  public CommandView queueCommand(QueueCommandRequest request) throws IOException {
    return send("POST", ProtocolPaths.OPERATOR_COMMANDS, request, CommandView.class, 0);
  }

  /** Begins moving a VM to another agent's host. */
  public MigrationView beginMigration(MigrateRequest request) throws IOException {
    return send("POST", ProtocolPaths.OPERATOR_MIGRATIONS, request, MigrationView.class, 0);
  }

  /** Begins draining the agent's host. */
  public DrainView beginDrain(String agentId, DrainRequest request) throws IOException {
    return send("POST", ProtocolPaths.operatorAgentDrain(agentId), request, DrainView.class, 0);
  }

  /** The agent's drain as it stands. */
  public DrainView drain(String agentId) throws IOException {
    return send("GET", ProtocolPaths.operatorAgentDrain(agentId), null, DrainView.class, 0);
  }

  /** Ends the agent's drain; returns it as it stood. */
  public DrainView endDrain(String agentId) throws IOException {
    return send("DELETE", ProtocolPaths.operatorAgentDrain(agentId), null, DrainView.class, 0);
  }

  /** The migration as it stands. */
  public MigrationView migration(String migrationId) throws IOException {
    return send("GET", ProtocolPaths.operatorMigration(migrationId), null, MigrationView.class, 0);
  }

  /** The command as it stands, waiting up to {@code waitSeconds} (at most 30) to finish. */
  public CommandView command(String commandId, int waitSeconds) throws IOException {
    return send(
        "GET",
        ProtocolPaths.operatorCommand(commandId) + "?wait=" + waitSeconds,
        null,
        CommandView.class,
        waitSeconds);
  }

  /** One page of commands, newest first, with these filters (null values left out). */
  public CommandList listCommands(Map<String, String> query) throws IOException {
    return send("GET", ProtocolPaths.operatorCommands(query), null, CommandList.class, 0);
  }

  /** One page of stored VM events, newest first, with these filters (null values left out). */
  public EventList listEvents(Map<String, String> query) throws IOException {
    return send("GET", ProtocolPaths.operatorEvents(query), null, EventList.class, 0);
  }

  /** An agent's or a VM's metrics history, with these parameters (null values left out). */
  public MetricsHistory metricsHistory(Map<String, String> query) throws IOException {
    return send("GET", ProtocolPaths.operatorMetricsHistory(query), null, MetricsHistory.class, 0);
  }

  /** Cancels a command (or asks its agent to stop it); returns it as it then stands. */
  public CommandView cancelCommand(String commandId) throws IOException {
    return send("POST", ProtocolPaths.operatorCommandCancel(commandId), null, CommandView.class, 0);
  }

  /** Waits up to {@code timeout} for the command to finish; returns it as it then stands. */
  public CommandView awaitCommand(String commandId, Duration timeout) throws IOException {
    Instant until = Instant.now().plus(timeout);
    while (true) {
      long left = Duration.between(Instant.now(), until).toSeconds();
      CommandView view =
          command(commandId, (int) Math.max(0, Math.min(ProtocolPaths.MAX_WAIT_SECONDS, left)));
      if (view.finished() || !Instant.now().isBefore(until)) {
        return view;
      }
    }
  }

  private <T> T send(String method, String path, Object body, Class<T> type, int waitSeconds)
      throws IOException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(baseUrl.resolve(path))
            .timeout(REQUEST_TIMEOUT.plusSeconds(waitSeconds))
            .header("Authorization", "Bearer " + operatorToken)
            .header("Accept", "application/json");
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(mapper.writeValueAsBytes(body)));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while calling the backend", e);
    }
    if (response.statusCode() >= 300) {
      Problem problem = null;
      try {
        problem = mapper.readValue(response.body(), Problem.class);
      } catch (IOException e) {
        // Not a problem document (a proxy's error page, say): the status alone must do.
      }
      throw new BackendApiException(response.statusCode(), problem);
    }
    return mapper.readValue(response.body(), type);
  }
}

package io.vmagent.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.VmSummary;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * An agent played over the real agent API (registration, heartbeats, command polls, results), the
 * test choosing every answer: it drives the backend's migrations step by step without two hosts'
 * libvirt daemons, and makes a destination refuse, which a test-driver host cannot be made to do.
 */
final class PlayedAgent {
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();
  // Registered with a long interval, the agent stays online without a heartbeat loop.
  private static final int HEARTBEAT_INTERVAL_SECONDS = 600;

  final String agentId;
  private final HttpClient http;
  private final URI base;
  private final String accessToken;
  private final Deque<Command> waiting = new ArrayDeque<>();

  private PlayedAgent(String agentId, HttpClient http, URI base, String accessToken) {
    this.agentId = agentId;
    this.http = http;
    this.base = base;
    this.accessToken = accessToken;
  }

  /**
   * Registers {@code agentId} with a new bootstrap token, offering the migration operations and
   * taking migrations at {@code endpoint} (null: it takes none).
   */
  static PlayedAgent register(RunningBackend backend, String agentId, MigrationEndpoint endpoint)
      throws Exception {
    HttpClient http =
        HttpClient.newBuilder().sslContext(TlsTrust.trusting(backend.caCertificatePath())).build();
    RegisterRequest identity =
        new RegisterRequest(
                agentId,
                agentId,
                agentId + ".example.net",
                "0.1.0",
                "qemu:///system",
                new HypervisorFacts(
                    "QEMU", "7.2.0", "9.0.0", "x86_64", 2, 3_221_225_472L, "x86_64"),
                List.of("info", "migrate", "migrate_abort", "migrate_prepare", "start", "stop"),
                HEARTBEAT_INTERVAL_SECONDS)
            .withMigration(endpoint);
    String token = backend.createBootstrapToken(false, null);
    RegisterResponse registered =
        JSON.readValue(
            send(http, backend.baseUrl(), ProtocolPaths.REGISTER, token, identity),
            RegisterResponse.class);
    return new PlayedAgent(agentId, http, backend.baseUrl(), registered.accessToken());
  }

  /** A heartbeat in {@code status} reporting {@code vms} as the host's inventory. */
  void heartbeat(HealthStatus status, List<VmSummary> vms) throws Exception {
    send(
        ProtocolPaths.heartbeat(agentId),
        new HeartbeatRequest(
            status,
            status == HealthStatus.STOPPING ? List.of("going offline") : List.of(),
            120,
            new AgentVersions("0.1.0", "17", "9.0.0", "7.2.0", "Debian 12"),
            new LibvirtHealth(true, "qemu:///system", null, 2L),
            0,
            true,
            List.of(),
            null,
            null,
            vms));
  }

  /** The next command the backend leases to this agent; fails after {@code timeout}. */
  Command next(Duration timeout) throws Exception {
    Instant end = Instant.now().plus(timeout);
    while (waiting.isEmpty()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("agent " + agentId + " got no command within " + timeout);
      }
      String batch = get(ProtocolPaths.commands(agentId, 2));
      waiting.addAll(JSON.readValue(batch, CommandBatch.class).commands());
    }
    return waiting.removeFirst();
  }

  /** Answers {@code command} as succeeded with {@code result}. */
  void succeed(Command command, ObjectNode result) throws Exception {
    Instant now = Instant.now();
    send(
        ProtocolPaths.results(agentId),
        CommandResult.succeeded(command.id(), result, now.minusMillis(5), now));
  }

  /** Answers {@code command} as failed with {@code code} and {@code message}. */
  void fail(Command command, ErrorCode code, String message) throws Exception {
    Instant now = Instant.now();
    send(
        ProtocolPaths.results(agentId),
        CommandResult.failed(command.id(), new CommandError(code, message), now, now));
  }

  private String get(String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + accessToken)
            .GET()
            .build();
    return check(path, http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private String send(String path, Object body) throws Exception {
    return send(http, base, path, accessToken, body);
  }

  private static String send(HttpClient http, URI base, String path, String token, Object body)
      throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build();
    return check(path, http.send(request, HttpResponse.BodyHandlers.ofString()));
  }

  private static String check(String path, HttpResponse<String> answer) throws IOException {
    if (answer.statusCode() / 100 != 2) {
      throw new IOException(path + " answered " + answer.statusCode() + ": " + answer.body());
    }
    return answer.body();
  }
}

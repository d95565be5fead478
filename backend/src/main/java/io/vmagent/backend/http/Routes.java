package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.backend.config.Limits;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.service.AgentService;
import io.vmagent.backend.service.ApiException;
import io.vmagent.backend.service.Authenticator;
import io.vmagent.backend.service.CommandService;
import io.vmagent.backend.service.IdentityService;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.backend.service.TelemetryService;
import io.vmagent.backend.service.Versions;
import io.vmagent.backend.store.Database;
import io.vmagent.protocol.AgentList;
import io.vmagent.protocol.BootstrapTokenList;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.ServiceHealth;
import io.vmagent.protocol.UpdateInfo;
import io.vmagent.protocol.VmList;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** The API's routes: which endpoint answers which method and path, with which credentials. */
public final class Routes {
  private Routes() {}

  /** Everything the endpoints need. */
  public record Services(
      Database database,
      Authenticator auth,
      RegistrationService registration,
      IdentityService identities,
      AgentService agents,
      CommandService commands,
      TelemetryService telemetry,
      Supplier<List<String>> publicKeys,
      String latestAgentVersion,
      String backendVersion,
      int maxBodyBytes,
      int maxBatchBytes,
      Throttles throttles,
      Limits limits,
      Clock clock) {

    int maxRequestsInFlight() {
      return limits.maxRequestsInFlight();
    }

    int agentRequestsPerMinute() {
      return limits.agentRequestsPerMinute();
    }
  }

  /** The handler serving every route. */
  public static ApiHandler handler(Services s) {
    ObjectMapper mapper = ProtocolJson.tolerantMapper();
    int body = s.maxBodyBytes();
    int batch = s.maxBatchBytes();
    List<Route> routes = new ArrayList<>();

    routes.add(
        new Route(
                "POST",
                ProtocolPaths.REGISTER,
                body,
                false,
                x -> {
                  // Absent when the agent proves its key instead; the service says what is missing.
                  String token =
                      io.vmagent.backend.auth.Secrets.bearer(x.authorization()).orElse(null);
                  RegisterRequest request = x.body(RegisterRequest.class);
                  return Reply.ok(
                      s.registration().register(token, request, x.peer(), x.remoteAddress()));
                })
            .proving(Route.Credential.BOOTSTRAP_TOKEN));
    routes.add(
        new Route(
                "POST",
                ProtocolPaths.CHALLENGE,
                body,
                false,
                x -> {
                  x.accept();
                  return Reply.ok(s.identities().challenge(x.pathParam("agentId")));
                })
            .proving(Route.Credential.NONE));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.CERTIFICATE,
            body,
            false,
            x -> {
              String agentId = agent(s, x);
              x.accept();
              return Reply.ok(s.identities().certificate(agentId));
            }));
    routes.add(
        new Route(
                "POST",
                ProtocolPaths.REFRESH,
                body,
                true,
                x -> Reply.ok(s.registration().refresh(x.body(RefreshRequest.class), x.peer())))
            .proving(Route.Credential.REFRESH_TOKEN));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.HEARTBEAT,
            body,
            false,
            x -> {
              String agentId = agent(s, x);
              return Reply.ok(s.agents().heartbeat(agentId, x.body(HeartbeatRequest.class)));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.COMMANDS,
            body,
            false,
            x -> {
              String agentId = agent(s, x);
              x.accept();
              return Reply.later(
                  s.commands()
                      .poll(agentId, x.intQuery("max", 10), x.intQuery("wait", 0))
                      .thenApply(Reply::ok));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.RESULTS,
            batch,
            false,
            x -> {
              String agentId = agent(s, x);
              return Reply.ok(s.commands().submitResult(agentId, x.body(CommandResult.class)));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.METRICS,
            batch,
            false,
            x -> {
              String agentId = agent(s, x);
              MetricsBatch metrics = x.body(MetricsBatch.class);
              Optional<Duration> wait = s.throttles().metrics(agentId, x.bodyBytes());
              if (wait.isPresent()) {
                // Refused before anything is stored; the agent keeps the samples in its spool
                // (dropping its oldest past its bound) and sends again when the day is over.
                throw ApiException.rateLimited(
                    "agent "
                        + agentId
                        + " sent its "
                        + quota(s.limits().metricsBytesPerAgentPerDay())
                        + " of metrics for the day; send again after the Retry-After",
                    wait.get());
              }
              return Reply.ok(s.telemetry().metrics(agentId, metrics));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.EVENTS,
            batch,
            false,
            x -> {
              String agentId = agent(s, x);
              return Reply.ok(s.telemetry().events(agentId, x.body(EventBatch.class)));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.AGENT_STATUS,
            body,
            false,
            x -> {
              String agentId = x.pathParam("agentId");
              if (s.auth().isOperator(x.authorization())) {
                s.auth().requireOperator(x.authorization(), x.peer());
              } else {
                s.auth().agentFor(x.authorization(), x.peer(), agentId);
              }
              x.accept();
              return Reply.ok(s.agents().status(agentId));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.LATEST_VERSION,
            body,
            false,
            x -> {
              if (s.auth().isOperator(x.authorization())) {
                s.auth().requireOperator(x.authorization(), x.peer());
              } else {
                s.auth().agent(x.authorization(), x.peer());
              }
              x.accept();
              String current = x.query("current");
              String latest = s.latestAgentVersion();
              boolean newer =
                  latest != null && current != null && Versions.compare(latest, current) > 0;
              return Reply.ok(new UpdateInfo(latest, current, newer));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.STATUS_OVERVIEW,
            body,
            false,
            x -> {
              boolean operator = x.authorization() != null;
              if (operator) {
                s.auth().requireOperator(x.authorization(), x.peer());
              }
              x.accept();
              return Reply.ok(s.agents().overview(operator));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.HEALTH,
            body,
            false,
            x -> {
              x.accept();
              if (!s.database().reachable()) {
                throw new ApiException(
                    ErrorCode.BACKEND_UNAVAILABLE, "the database does not answer");
              }
              return Reply.ok(
                  new ServiceHealth(
                      "ok",
                      s.clock().instant(),
                      s.backendVersion(),
                      ProtocolPaths.PROTOCOL_VERSION));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.JWKS,
            body,
            false,
            x -> {
              x.accept();
              ObjectNode set = mapper.createObjectNode();
              ArrayNode keys = set.putArray("keys");
              for (String jwk : s.publicKeys().get()) {
                keys.add(readTree(mapper, jwk));
              }
              return Reply.ok(set);
            }));

    routes.add(
        new Route(
            "POST",
            ProtocolPaths.OPERATOR_COMMANDS,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              return Reply.created(s.commands().queue(x.body(QueueCommandRequest.class)));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.OPERATOR_COMMAND,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(s.commands().view(x.pathParam("commandId"), x.intQuery("wait", 0)));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.OPERATOR_AGENTS,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(
                  s.agents().page(x.query("after"), x.intQuery("limit", AgentList.DEFAULT_PAGE)));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.OPERATOR_AGENT,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(s.agents().status(x.pathParam("agentId")));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.OPERATOR_AGENT_REVOKE,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(
                  s.agents().revoke(x.pathParam("agentId"), "true".equals(x.query("keep_token"))));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.OPERATOR_AGENT_RESET,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(s.identities().reset(x.pathParam("agentId")));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.OPERATOR_VMS,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(new VmList(s.agents().vms(x.query("agent_id"))));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.OPERATOR_TOKENS,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              return Reply.created(
                  s.registration().createBootstrapToken(x.body(CreateBootstrapTokenRequest.class)));
            }));
    routes.add(
        new Route(
            "GET",
            ProtocolPaths.OPERATOR_TOKENS,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(new BootstrapTokenList(s.registration().listBootstrapTokens()));
            }));
    routes.add(
        new Route(
            "POST",
            ProtocolPaths.OPERATOR_TOKEN_REVOKE,
            body,
            false,
            x -> {
              s.auth().requireOperator(x.authorization(), x.peer());
              x.accept();
              return Reply.ok(s.registration().revokeBootstrapToken(x.pathParam("tokenId")));
            }));
    return new ApiHandler(routes, s.throttles(), s.maxRequestsInFlight());
  }

  private static final Duration HOLD = Duration.ofSeconds(10);

  private static String quota(long bytes) {
    return bytes >= (1 << 20) && bytes % (1 << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
  }

  private static String agent(Services s, Exchange x) {
    String credential = Throttles.credentialKey(x.authorization());
    if (credential != null) {
      Optional<Duration> early = s.throttles().credentialExhausted(credential, x.routeTemplate());
      if (early.isPresent()) {
        // The client was told already and sends again: the answer waits 10 s, so a client
        // looping on a refused token makes one request per connection every 10 s, not
        // thousands a second (a rate refills continuously, so its own Retry-After is short).
        throw ApiException.rateLimited(
                "too many requests to this endpoint with this token; retry after the Retry-After",
                early.get())
            .heldFor(HOLD);
      }
    }
    String agentId =
        s.auth().agentFor(x.authorization(), x.peer(), x.pathParam("agentId")).agentId();
    Optional<Duration> wait = s.throttles().agentRequest(agentId, credential, x.routeTemplate());
    if (wait.isPresent()) {
      throw ApiException.rateLimited(
          "agent "
              + agentId
              + " made more than its "
              + s.agentRequestsPerMinute()
              + " requests a minute to this endpoint",
          wait.get());
    }
    return agentId;
  }

  private static com.fasterxml.jackson.databind.JsonNode readTree(ObjectMapper mapper, String json)
      throws IOException {
    return mapper.readTree(json);
  }
}

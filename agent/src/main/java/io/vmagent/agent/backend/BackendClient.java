package io.vmagent.agent.backend;

import io.vmagent.agent.retry.Verdict;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.ResultAck;
import io.vmagent.protocol.UpdateInfo;
import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLHandshakeException;

/**
 * The agent's side of the protocol: one method per agent call, each authenticated with the {@link
 * Session}'s access token; an answer whose {@link Verdict} is {@code REFRESH} triggers one token
 * refresh and one retry. Deliveries from the spool are sent once: the spool's drainer retries.
 */
public final class BackendClient {
  private final HttpTransport transport;
  private final Session session;

  public BackendClient(HttpTransport transport, Session session) {
    this.transport = Objects.requireNonNull(transport, "transport == null");
    this.session = Objects.requireNonNull(session, "session == null");
  }

  /** The session (registration and tokens). */
  public Session session() {
    return session;
  }

  /**
   * Reports the agent's health (the protocol-3 members only to a backend of protocol 3 or later);
   * the answer's {@code server_time} feeds the session's {@link ClockOffset}.
   */
  public HeartbeatResponse heartbeat(HeartbeatRequest request) throws IOException {
    HeartbeatRequest sent = request.forProtocol(session.protocol());
    return authed(
        (id, token) -> {
          ClockOffset.Probe probe = session.clockOffset().probe();
          HeartbeatResponse answer =
              transport.send(
                  "POST",
                  ProtocolPaths.heartbeat(id),
                  sent,
                  token,
                  HeartbeatResponse.class,
                  RetryMode.SAFE,
                  null);
          session.clockOffset().answered(probe, answer.serverTime());
          return answer;
        });
  }

  /**
   * The heartbeat sent at shutdown: one attempt (retried only when it never reached the backend)
   * bounded by {@code timeout}, so a slow backend cannot hold up the agent's exit.
   */
  public HeartbeatResponse lastHeartbeat(HeartbeatRequest request, Duration timeout)
      throws IOException {
    Duration bounded = timeout.compareTo(transport.timeout()) < 0 ? timeout : transport.timeout();
    HeartbeatRequest sent = request.forProtocol(session.protocol());
    return authed(
        (id, token) ->
            transport.send(
                "POST",
                ProtocolPaths.heartbeat(id),
                sent,
                token,
                HeartbeatResponse.class,
                RetryMode.NOT_SENT_ONLY,
                bounded));
  }

  /**
   * Long-polls for commands: the backend holds the request up to {@code waitSeconds}; the request
   * may take that long plus the API timeout.
   */
  public CommandBatch pollCommands(int waitSeconds, int max) throws IOException {
    int wait = Math.max(0, Math.min(waitSeconds, ProtocolPaths.MAX_WAIT_SECONDS));
    int most = Math.max(1, Math.min(max, ProtocolPaths.MAX_COMMANDS_PER_POLL));
    Duration timeout = transport.timeout().plusSeconds(wait);
    return authed(
        (id, token) ->
            transport.send(
                "GET",
                ProtocolPaths.commands(id, wait) + "&max=" + most,
                null,
                token,
                CommandBatch.class,
                RetryMode.SAFE,
                timeout));
  }

  /** Reports a command's outcome, once; the backend applies it once per command id. */
  public ResultAck submitResult(CommandResult result) throws IOException {
    return post(ProtocolPaths::results, result, ResultAck.class, RetryMode.ONCE);
  }

  /** Delivers metrics samples, once. */
  public IngestAck submitMetrics(MetricsBatch batch) throws IOException {
    return post(ProtocolPaths::metrics, batch, IngestAck.class, RetryMode.ONCE);
  }

  /** Delivers lifecycle events, once; the backend skips sequences it already has. */
  public IngestAck submitEvents(EventBatch batch) throws IOException {
    return post(ProtocolPaths::events, batch, IngestAck.class, RetryMode.ONCE);
  }

  /** The newest agent version the backend knows. */
  public UpdateInfo latestVersion(String currentVersion) throws IOException {
    return authed(
        (id, token) ->
            transport.send(
                "GET",
                ProtocolPaths.latestVersion(currentVersion),
                null,
                token,
                UpdateInfo.class,
                RetryMode.SAFE,
                null));
  }

  /** A POST of {@code body} to this agent's {@code path}. */
  private <T> T post(UnaryOperator<String> path, Object body, Class<T> type, RetryMode mode)
      throws IOException {
    return authed(
        (id, token) -> transport.send("POST", path.apply(id), body, token, type, mode, null));
  }

  private <T> T authed(Call<T> call) throws IOException {
    Credentials credentials = session.credentials();
    T answer;
    try {
      answer = call.run(credentials.agentId(), credentials.accessToken());
    } catch (BackendHttpException e) {
      if (e.verdict() != Verdict.REFRESH) {
        throw e;
      }
      String token = session.renewAfterRejection(credentials.accessToken());
      answer = call.run(session.agentId().orElse(credentials.agentId()), token);
    } catch (SSLHandshakeException e) {
      if (!session.certificateRefused()) {
        throw e;
      }
      answer = call.run(credentials.agentId(), credentials.accessToken());
    }
    session.certificateWorked();
    return answer;
  }

  @FunctionalInterface
  private interface Call<T> {
    T run(String agentId, String accessToken) throws IOException;
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.backend.config.Limits;
import io.vmagent.backend.service.RetentionSweep;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.TokenPair;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * The retention sweep on both databases, with a retention of seconds: rows made old (their
 * timestamps moved an hour back, metrics history buckets included) go, new ones and unfinished
 * commands stay, and requests are answered while it works through a backlog of several batches.
 */
class RetentionTest {
  private static final Duration RETENTION = Duration.ofSeconds(30);
  private static final int OLD_SAMPLES = 2 * RetentionSweep.BATCH + 500;
  private static final int OLD_BUCKETS = RetentionSweep.BATCH + 10;

  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();
  private RunningBackend backend;
  private ContractClient client;
  private String schema;
  private TestDatabase database;

  @BeforeEach
  void capture() {
    log.start();
    ((Logger) LoggerFactory.getLogger(RetentionSweep.class)).addAppender(log);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(RetentionSweep.class)).detachAppender(log);
    if (backend != null) {
      backend.close();
    }
    if (schema != null && database == TestDatabase.POSTGRESQL) {
      TestDatabase.dropSchema(schema);
    }
    if (client != null) {
      assertThat(client.violations()).as("OpenAPI contract violations").isEmpty();
    }
  }

  @ParameterizedTest
  @EnumSource(TestDatabase.class)
  void rowsPastTheirRetentionArePrunedNewerAndUnfinishedOnesKeptWhileRequestsGoOn(
      TestDatabase database) throws Exception {
    database.assumeAvailable();
    this.database = database;
    schema = TestDatabase.newSchema();
    backend =
        database
            .configure(
                VmBackend.builder()
                    .dataDir(dir)
                    .listen("127.0.0.1", 0)
                    .pollRecheckInterval(Duration.ofMillis(200))
                    // Heartbeats in a tight loop show the pruning never blocks a request.
                    .limits(Limits.defaults().withAgentRequestsPerMinute(1_000_000))
                    .metricsRetention(RETENTION)
                    .metricsHistoryRetention(RETENTION)
                    .eventsRetention(RETENTION)
                    .commandsRetention(RETENTION)
                    .tokensRetention(RETENTION),
                schema)
            .build()
            .start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
    Instant hourAgo = Instant.now().minus(Duration.ofHours(1));

    // Tokens: A registers with a single-use token, refreshes once (spending its first refresh
    // token) and registers again (revoking its first chain); B with a multi-use token; C's
    // refresh token will have expired. One more bootstrap token will have expired unused.
    TestAgent a = new TestAgent(client, "host-a");
    String singleUse = backend.createBootstrapToken(true, null);
    a.register(singleUse);
    a.refreshToken =
        client
            .post(ProtocolPaths.REFRESH, null, new RefreshRequest(a.refreshToken))
            .as(TokenPair.class)
            .refreshToken();
    a.register(singleUse);
    String multiUse = backend.createBootstrapToken(false, null);
    TestAgent b = new TestAgent(client, "host-b");
    b.register(multiUse);
    TestAgent c = new TestAgent(client, "host-c");
    c.register(multiUse);
    backend.createBootstrapToken(false, Duration.ofHours(1));
    // Challenges for proofs of possession: one expired an hour ago, one still answerable.
    update(
        "INSERT INTO identity_challenges (challenge_hash, agent_id, expires_at) VALUES (?, ?, ?)",
        "expired-challenge",
        "host-a",
        hourAgo);
    update(
        "INSERT INTO identity_challenges (challenge_hash, agent_id, expires_at) VALUES (?, ?, ?)",
        "live-challenge",
        "host-a",
        Instant.now().plus(Duration.ofHours(1)));

    // Commands: three that ended (succeeded, failed, expired), one queued, one leased, and one
    // that succeeded just now.
    List<String> ended = new ArrayList<>();
    CommandView expiring =
        client
            .post(
                ProtocolPaths.OPERATOR_COMMANDS,
                backend.operatorToken(),
                new QueueCommandRequest("host-a", "info", Map.of("vm", "gone"), 1))
            .as(CommandView.class);
    ended.add(expiring.id());
    Thread.sleep(1_100);
    ended.add(backend.queueCommand("host-a", "start", Map.of("vm", "web-1")).id());
    ended.add(backend.queueCommand("host-a", "stop", Map.of("vm", "web-1")).id());
    List<Command> leased = a.poll(0).commands();
    assertThat(leased).extracting(Command::id).containsExactly(ended.get(1), ended.get(2));
    a.succeed(leased.get(0), "running");
    Instant now = Instant.now();
    a.submit(
        CommandResult.failed(
            leased.get(1).id(), CommandError.of(ErrorCode.OPERATION_FAILED), now, now));
    String stillLeased = backend.queueCommand("host-a", "pause", Map.of("vm", "web-1")).id();
    a.poll(0);
    String recent = backend.queueCommand("host-a", "resume", Map.of("vm", "web-1")).id();
    a.succeed(a.poll(0).commands().get(0), "running");
    String queued = backend.queueCommand("host-b", "start", Map.of("vm", "db-1")).id();
    assertThat(command(expiring.id()).state()).isEqualTo(CommandState.EXPIRED);

    // Telemetry: an old backlog of several batches, old events, then new samples and events.
    insertOldSamples("host-a", OLD_SAMPLES, hourAgo);
    insertOldBuckets("host-a", OLD_BUCKETS, hourAgo);
    events(a, 1, 2, 3);
    update("UPDATE vm_events SET received_at = ?", hourAgo);
    samples(a, 2);
    events(a, 4, 5);

    update("UPDATE bootstrap_tokens SET used_at = ? WHERE single_use = TRUE", hourAgo);
    update("UPDATE bootstrap_tokens SET expires_at = ? WHERE expires_at IS NOT NULL", hourAgo);
    update("UPDATE refresh_tokens SET used_at = ? WHERE used_at IS NOT NULL", hourAgo);
    update("UPDATE refresh_tokens SET expires_at = ? WHERE agent_id = 'host-c'", hourAgo);
    update("UPDATE token_families SET revoked_at = ? WHERE revoked_at IS NOT NULL", hourAgo);
    update(
        "UPDATE commands SET created_at = ?, finished_at = ? WHERE command_id IN (?, ?, ?)",
        hourAgo,
        hourAgo,
        ended.get(0),
        ended.get(1),
        ended.get(2));
    update(
        "UPDATE commands SET created_at = ? WHERE command_id IN (?, ?)",
        hourAgo,
        stillLeased,
        queued);

    AtomicBoolean pruned = new AtomicBoolean();
    CompletableFuture<List<Integer>> heartbeats =
        CompletableFuture.supplyAsync(
            () -> {
              List<Integer> statuses = new ArrayList<>();
              while (!pruned.get() && statuses.size() < 2_000) {
                statuses.add(
                    client
                        .post(
                            ProtocolPaths.heartbeat("host-b"),
                            b.accessToken,
                            TestAgent.healthyHeartbeat(null))
                        .status());
              }
              return statuses;
            });
    try {
      await()
          .atMost(Duration.ofSeconds(25))
          .pollInterval(Duration.ofMillis(200))
          .until(
              () ->
                  count("SELECT COUNT(*) FROM metrics_samples") == 2
                      && count("SELECT COUNT(*) FROM metrics_rollup") == 1
                      && everythingOldGone());
    } finally {
      pruned.set(true);
    }
    assertThat(heartbeats.get(30, TimeUnit.SECONDS)).isNotEmpty().containsOnly(200);

    assertThat(count("SELECT COUNT(*) FROM vm_events")).isEqualTo(2);
    assertThat(ids("SELECT command_id FROM commands"))
        .containsExactlyInAnyOrder(stillLeased, recent, queued);
    assertThat(ids("SELECT agent_id FROM refresh_tokens"))
        .containsExactlyInAnyOrder("host-a", "host-b");
    assertThat(ids("SELECT agent_id FROM token_families"))
        .containsExactlyInAnyOrder("host-a", "host-b", "host-c");
    assertThat(count("SELECT COUNT(*) FROM bootstrap_tokens")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM agents")).isEqualTo(3);

    // What is left works: A's live refresh token, B's heartbeat, A's leased command's result.
    client
        .post(ProtocolPaths.REFRESH, null, new RefreshRequest(a.refreshToken))
        .as(TokenPair.class);
    assertThat(a.heartbeat()).isInstanceOf(HeartbeatResponse.class);
    assertThat(b.register(multiUse).agentId()).isEqualTo("host-b");
    assertThat(command(stillLeased).state()).isEqualTo(CommandState.LEASED);

    assertThat(pruned("metrics samples")).isEqualTo(OLD_SAMPLES);
    assertThat(pruned("metrics history buckets")).isEqualTo(OLD_BUCKETS);
    assertThat(ids("SELECT series FROM metrics_rollup")).containsExactly("cpu_percent");
    assertThat(pruned("events")).isEqualTo(3);
    assertThat(pruned("commands")).isEqualTo(3);
    assertThat(pruned("refresh tokens")).isEqualTo(3);
    assertThat(pruned("token chains")).isEqualTo(1);
    assertThat(pruned("bootstrap tokens")).isEqualTo(2);
    assertThat(pruned("identity challenges")).isEqualTo(1);
    assertThat(ids("SELECT challenge_hash FROM identity_challenges"))
        .containsExactly("live-challenge");
    assertThat(log.list).allSatisfy(event -> assertThat(event.getLevel()).isEqualTo(Level.INFO));
  }

  private boolean everythingOldGone() throws SQLException {
    return count("SELECT COUNT(*) FROM vm_events") == 2
        && count("SELECT COUNT(*) FROM commands") == 3
        && count("SELECT COUNT(*) FROM refresh_tokens") == 2
        && count("SELECT COUNT(*) FROM token_families") == 3
        && count("SELECT COUNT(*) FROM bootstrap_tokens") == 1
        && count("SELECT COUNT(*) FROM identity_challenges") == 1;
  }

  /** The rows of one label pruned, over every INFO line of the sweep. */
  private int pruned(String label) {
    Pattern figure = Pattern.compile("(\\d+) " + Pattern.quote(label) + "\\b");
    int total = 0;
    synchronized (log) { // the lock the appender appends under
      for (ILoggingEvent event : log.list) {
        Matcher m = figure.matcher(event.getFormattedMessage());
        while (m.find()) {
          total += Integer.parseInt(m.group(1));
        }
      }
    }
    return total;
  }

  private CommandView command(String id) {
    return client
        .get(ProtocolPaths.operatorCommand(id), backend.operatorToken())
        .as(CommandView.class);
  }

  private void samples(TestAgent agent, int n) {
    List<MetricsSample> samples = new ArrayList<>();
    // In one minute, so their host CPU figures (in the agent's layout) fill one history bucket.
    Instant minute = Instant.now().truncatedTo(ChronoUnit.MINUTES);
    for (int i = 0; i < n; i++) {
      ObjectNode snapshot = JsonNodeFactory.instance.objectNode();
      snapshot.putObject("system").putObject("cpu").put("usage_percent", i);
      samples.add(new MetricsSample(minute.plusMillis(i), snapshot));
    }
    client
        .post(ProtocolPaths.metrics(agent.agentId), agent.accessToken, new MetricsBatch(samples))
        .as(io.vmagent.protocol.IngestAck.class);
  }

  private void insertOldBuckets(String agentId, int n, Instant receivedAt) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO metrics_rollup (agent_id, vm_name, bucket_start, series,"
                    + " sample_count, value_sum, value_max, received_at)"
                    + " VALUES (?, 'web-1', ?, 'cpu_percent', 1, 5, 5, ?)")) {
      for (int i = 0; i < n; i++) {
        s.setString(1, agentId);
        s.setLong(2, receivedAt.getEpochSecond() / 60 * 60 - 60L * i);
        s.setObject(3, utc(receivedAt));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private void events(TestAgent agent, long... sequences) {
    List<VmEvent> events = new ArrayList<>();
    for (long sequence : sequences) {
      events.add(new VmEvent(sequence, Instant.now(), "web-1", null, VmEventType.STARTED, null));
    }
    client
        .post(ProtocolPaths.events(agent.agentId), agent.accessToken, new EventBatch(events))
        .as(io.vmagent.protocol.IngestAck.class);
  }

  private void insertOldSamples(String agentId, int n, Instant receivedAt) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO metrics_samples (agent_id, sample_time, received_at, snapshot_json)"
                    + " VALUES (?, ?, ?, '{}')")) {
      for (int i = 0; i < n; i++) {
        s.setString(1, agentId);
        s.setObject(2, utc(receivedAt.minusSeconds(10L * i)));
        s.setObject(3, utc(receivedAt));
        s.addBatch();
      }
      s.executeBatch();
    }
  }

  private void update(String sql, Object... args) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i] instanceof Instant t ? utc(t) : args[i]);
      }
      s.executeUpdate();
    }
  }

  private int count(String sql) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rows = s.executeQuery()) {
      rows.next();
      return rows.getInt(1);
    }
  }

  private List<String> ids(String sql) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rows = s.executeQuery()) {
      List<String> ids = new ArrayList<>();
      while (rows.next()) {
        ids.add(rows.getString(1));
      }
      return ids;
    }
  }

  private static OffsetDateTime utc(Instant instant) {
    return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
  }
}

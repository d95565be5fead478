package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;
import io.vmagent.backend.http.RequestChecks;
import io.vmagent.protocol.AgentList;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandList;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.EventList;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatResponse;
import io.vmagent.protocol.IngestAck;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.OperationCapability;
import io.vmagent.protocol.ParamLimits;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.ResultAck;
import io.vmagent.protocol.ResultStatus;
import io.vmagent.protocol.StatusOverview;
import io.vmagent.protocol.StoredEvent;
import io.vmagent.protocol.TokenPair;
import io.vmagent.protocol.UpdateInfo;
import io.vmagent.protocol.VmAddress;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import io.vmagent.protocol.VmInterface;
import io.vmagent.protocol.VmList;
import io.vmagent.protocol.VmSummary;
import io.vmagent.protocol.VmView;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every protocol flow over real HTTPS against a started backend, with its traffic checked against
 * the OpenAPI document. Subclasses choose the database, so the same suite runs on H2 and on
 * PostgreSQL.
 */
abstract class BackendFlowTests {
  @TempDir Path dataDir;

  private RunningBackend backend;
  private ContractClient client;
  private String schema;
  private long disagreements;

  abstract TestDatabase database();

  @BeforeEach
  void requireDatabase() {
    disagreements = RequestChecks.disagreements();
    database().assumeAvailable();
  }

  @AfterEach
  void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    if (schema != null && database() == TestDatabase.POSTGRESQL) {
      TestDatabase.dropSchema(schema);
    }
    if (client != null) {
      assertThat(client.violations()).as("OpenAPI contract violations").isEmpty();
    }
    assertThat(RequestChecks.disagreements() - disagreements)
        .as("requests the compiled check refused and the library accepted")
        .isZero();
  }

  private RunningBackend start(Consumer<VmBackend.Builder> customise) throws Exception {
    schema = TestDatabase.newSchema();
    VmBackend.Builder builder =
        VmBackend.builder()
            .dataDir(dataDir)
            .listen("127.0.0.1", 0)
            .pollRecheckInterval(Duration.ofMillis(200))
            .latestAgentVersion("0.2.0");
    customise.accept(builder);
    backend = database().configure(builder, schema).build().start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
    return backend;
  }

  private RunningBackend start() throws Exception {
    return start(b -> {});
  }

  private TestAgent registeredAgent(String agentId) {
    return TestAgent.registered(client, backend, agentId);
  }

  private String operator() {
    return backend.operatorToken();
  }

  private CommandView queue(String agentId, String operation, Map<String, String> params) {
    return client
        .post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest(agentId, operation, params, null))
        .as(CommandView.class);
  }

  /** Queues a command whose deadline is one second away. */
  private CommandView dueInASecond(String agentId, String operation, String vm) {
    return client
        .post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest(agentId, operation, Map.of("vm", vm), 1))
        .as(CommandView.class);
  }

  private CommandView command(String id) {
    return client.get(ProtocolPaths.operatorCommand(id), operator()).as(CommandView.class);
  }

  private int count(String sql, Object... args) throws SQLException {
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        s.setObject(i + 1, args[i]);
      }
      try (ResultSet rows = s.executeQuery()) {
        rows.next();
        return rows.getInt(1);
      }
    }
  }

  @Test
  void anOperationTheAgentDoesNotAdvertiseIsRefusedAtQueueTimeAndNothingIsQueued()
      throws Exception {
    start();
    registeredAgent("host-a");

    ContractClient.Answer refused =
        client.post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest("host-a", "frobnicate", Map.of("vm", "web-1"), null));

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.problem().code()).isEqualTo(ErrorCode.UNSUPPORTED_OPERATION);
    assertThat(refused.problem().detail())
        .contains("does not run 'frobnicate'")
        .contains("start, stop, restart, pause, resume, delete, snapshot, list, info");
    assertThat(count("SELECT COUNT(*) FROM commands WHERE agent_id = ?", "host-a")).isZero();
    assertThat(queue("host-a", "info", Map.of("vm", "web-1")).state())
        .isEqualTo(CommandState.QUEUED);
  }

  @Test
  void defineAndCreateTakeParametersUpToTheirLargerLimitAndOtherOperationsKeepTheirs()
      throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    client
        .post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(null)
                .withOperations(
                    List.of(
                        new OperationCapability("create", 1),
                        new OperationCapability("define", 1),
                        new OperationCapability("start", 1))))
        .as(HeartbeatResponse.class);
    int envelope = ParamLimits.jsonChars(Map.of("xml", ""));
    String largest = "<domain>" + "x".repeat(ParamLimits.MAX_LARGE_PARAMS_CHARS - envelope - 8);

    CommandView atLimit = queue("host-a", "define", Map.of("xml", largest));
    ContractClient.Answer over =
        client.post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest("host-a", "define", Map.of("xml", largest + "x"), null));
    CommandView userData =
        queue(
            "host-a",
            "create",
            Map.of(
                "vm", "web-1", "vcpus", "1", "memory_mib", "64", "user_data", "y".repeat(65536)));
    CommandView longValue =
        queue("host-a", "start", Map.of("vm", "web-1", "note", "z".repeat(4096)));
    ContractClient.Answer tooLong =
        client.post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest(
                "host-a", "start", Map.of("vm", "web-1", "note", "z".repeat(4097)), null));

    ContractClient.Answer longVm =
        client.post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest("host-a", "start", Map.of("vm", "w".repeat(300)), null));
    assertThat(atLimit.state()).isEqualTo(CommandState.QUEUED);
    assertThat(command(atLimit.id()).params().get("xml")).isEqualTo(largest);
    assertThat(over.status()).isEqualTo(400);
    assertThat(over.problem().code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(over.problem().detail())
        .contains("parameters of 'define'")
        .contains("at most " + ParamLimits.MAX_LARGE_PARAMS_CHARS);
    assertThat(userData.state()).isEqualTo(CommandState.QUEUED);
    assertThat(longValue.state()).isEqualTo(CommandState.QUEUED);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(longVm.status()).isEqualTo(400);
    assertThat(longVm.problem().detail())
        .isEqualTo("parameter 'vm' is 300 characters long; at most 256");
    assertThat(tooLong.problem().detail())
        .contains("parameter 'note' of 'start' is 4097 characters long; at most 4096");
    assertThat(count("SELECT COUNT(*) FROM commands WHERE agent_id = ?", "host-a")).isEqualTo(3);
  }

  @Test
  void theOperationsOfTheFirstHeartbeatAfterAStartReplaceTheRegisteredOnes() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    List<OperationCapability> upgraded =
        List.of(new OperationCapability("info", 1), new OperationCapability("set_autostart", 1));

    client
        .post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(null).withOperations(upgraded))
        .as(HeartbeatResponse.class);

    AgentStatus status =
        client.get(ProtocolPaths.agentStatus("host-a"), operator()).as(AgentStatus.class);
    assertThat(status.operations()).isEqualTo(upgraded);
    assertThat(status.capabilities()).containsExactly("info", "set_autostart");
    assertThat(queue("host-a", "set_autostart", Map.of("vm", "web-1", "enabled", "true")).state())
        .isEqualTo(CommandState.QUEUED);
    assertThat(
            client
                .post(
                    ProtocolPaths.OPERATOR_COMMANDS,
                    operator(),
                    new QueueCommandRequest("host-a", "start", Map.of("vm", "web-1"), null))
                .problem()
                .code())
        .isEqualTo(ErrorCode.UNSUPPORTED_OPERATION);
    agent.heartbeat();
    assertThat(
            client
                .get(ProtocolPaths.agentStatus("host-a"), operator())
                .as(AgentStatus.class)
                .operations())
        .as("a heartbeat without operations keeps the last ones")
        .isEqualTo(upgraded);
  }

  @Test
  void theAddressesOfAnInfoResultAreShownWithTheVm() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    String uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f";
    client
        .post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(new VmSummary("web-1", uuid, "running"))))
        .as(HeartbeatResponse.class);
    queue("host-a", "info", Map.of("vm", "web-1"));
    Command command = agent.poll(0).commands().get(0);
    ObjectNode result = JsonNodeFactory.instance.objectNode().put("operation", "info");
    result.putObject("vm").put("name", "web-1").put("uuid", uuid);
    ObjectNode nic =
        result
            .putArray("interfaces")
            .addObject()
            .put("mac", "52:54:00:00:00:01")
            .put("type", "network")
            .put("source", "default")
            .put("model", "virtio");
    nic.putArray("addresses")
        .addObject()
        .put("address", "192.168.122.14")
        .put("prefix", 24)
        .put("family", "ipv4")
        .put("source", "lease");
    Instant now = Instant.now();
    agent.submit(CommandResult.succeeded(command.id(), result, now.minusMillis(5), now));

    VmView vm =
        client
            .get(ProtocolPaths.OPERATOR_VMS + "?agent_id=host-a", operator())
            .as(VmList.class)
            .vms()
            .get(0);
    assertThat(vm.interfaces())
        .containsExactly(
            new VmInterface(
                "52:54:00:00:00:01",
                "network",
                "default",
                List.of(new VmAddress("192.168.122.14", 24, "ipv4", "lease"))));
    assertThat(vm.addressesReportedAt()).isNotNull();

    // The next inventory replaces the VM's row; its addresses stay until the next report.
    agent.heartbeat();
    client
        .post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(new VmSummary("web-1", uuid, "paused"))))
        .as(HeartbeatResponse.class);
    assertThat(
            client
                .get(ProtocolPaths.OPERATOR_VMS, operator())
                .as(VmList.class)
                .vms()
                .get(0)
                .interfaces())
        .isEqualTo(vm.interfaces());
  }

  @Test
  void agentRegistersHeartbeatsRunsACommandAndItsResultReachesTheOperator() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");

    HeartbeatResponse beat = agent.heartbeat();
    assertThat(beat.commandsPending()).isZero();
    assertThat(beat.latestAgentVersion()).isEqualTo("0.2.0");
    assertThat(beat.serverTime()).isCloseTo(Instant.now(), within(5));

    CommandView queued = queue("host-a", "start", Map.of("vm", "web-1"));
    assertThat(queued.state()).isEqualTo(CommandState.QUEUED);
    assertThat(agent.heartbeat().commandsPending()).isEqualTo(1);

    CommandBatch batch = agent.poll(0);
    assertThat(batch.commands()).hasSize(1);
    Command command = batch.commands().get(0);
    assertThat(command.id()).isEqualTo(queued.id());
    assertThat(command.operation()).isEqualTo("start");
    assertThat(command.vm()).isEqualTo("web-1");
    assertThat(command.delivery()).isEqualTo(1);
    assertThat(command.leaseExpiresAt()).isAfter(Instant.now());
    assertThat(command(queued.id()).state()).isEqualTo(CommandState.LEASED);

    ResultAck ack = agent.succeed(command, "running");
    assertThat(ack.duplicate()).isFalse();

    CommandView done = command(queued.id());
    assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
    assertThat(done.result().result().get("state").asText()).isEqualTo("running");

    AgentStatus status =
        client.get(ProtocolPaths.agentStatus("host-a"), agent.accessToken).as(AgentStatus.class);
    assertThat(status.connectivity()).isEqualTo(Connectivity.ONLINE);
    assertThat(status.health()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(status.lastHeartbeatAt()).isNotNull();
    assertThat(status.capabilities()).contains("start");
    assertThat(status.commandsPending()).isZero();
    assertThat(client.exchanges()).isGreaterThan(5);
  }

  @Test
  void concurrentRegistrationsOfOneNewAgentAllSucceedWithOneRow() throws Exception {
    start();
    String token = backend.createBootstrapToken(false, null);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(6);
    try {
      List<CompletableFuture<RegisterResponse>> answers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        answers.add(
            CompletableFuture.supplyAsync(
                () -> new TestAgent(client, "host-race").register(token), pool));
      }
      for (CompletableFuture<RegisterResponse> answer : answers) {
        assertThat(answer.get(30, java.util.concurrent.TimeUnit.SECONDS).agentId())
            .isEqualTo("host-race");
      }
    } finally {
      pool.shutdownNow();
    }
    try (var c = backend.dataSource().getConnection();
        var s = c.prepareStatement("SELECT COUNT(*) FROM agents WHERE agent_id = 'host-race'");
        var rows = s.executeQuery()) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(1);
    }
  }

  @Test
  void anAgentShuttingDownIsOfflineAtOnceAndOnlineAgainAtItsNextHeartbeat() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    agent.heartbeat();
    agent.stoppingHeartbeat();

    AgentStatus stopped =
        client.get(ProtocolPaths.agentStatus("host-a"), agent.accessToken).as(AgentStatus.class);
    assertThat(stopped.connectivity()).isEqualTo(Connectivity.OFFLINE);
    assertThat(stopped.health()).isEqualTo(HealthStatus.STOPPING);
    assertThat(stopped.reasons()).anyMatch(r -> r.contains("going offline"));

    agent.heartbeat();
    AgentStatus back =
        client.get(ProtocolPaths.agentStatus("host-a"), agent.accessToken).as(AgentStatus.class);
    assertThat(back.connectivity()).isEqualTo(Connectivity.ONLINE);
    assertThat(back.health()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void longPollAnswersPromptlyWhenACommandIsQueued() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    List<Long> latencies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      CompletableFuture<CommandBatch> poll = CompletableFuture.supplyAsync(() -> agent.poll(20));
      Thread.sleep(300);
      long queuedAt = System.nanoTime();
      backend.queueCommand("host-a", "stop", Map.of("vm", "web-" + i));
      CommandBatch batch = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
      latencies.add((System.nanoTime() - queuedAt) / 1_000_000);
      assertThat(batch.commands()).hasSize(1);
      agent.succeed(batch.commands().get(0), "shutoff");
    }
    System.out.printf("[%s] long-poll wake-up after queue, ms: %s%n", database(), latencies);
    assertThat(latencies).allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
  }

  @Test
  void longPollWithNothingQueuedAnswersEmptyAfterItsWait() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    long started = System.nanoTime();
    assertThat(agent.poll(1).commands()).isEmpty();
    assertThat((System.nanoTime() - started) / 1_000_000).isBetween(900L, 5_000L);
  }

  @Test
  void registeringAgainKeepsTheAgentAndRevokesItsEarlierTokens() throws Exception {
    start();
    String bootstrap = backend.createBootstrapToken(false, null);
    TestAgent agent = new TestAgent(client, "host-a");
    agent.register(bootstrap);
    String firstAccess = agent.accessToken;
    String firstRefresh = agent.refreshToken;
    Instant registeredAt = backend.operator().showAgent("host-a").registeredAt();

    agent.register(bootstrap);

    assertThat(backend.operator().listAgents())
        .extracting(AgentStatus::agentId)
        .containsExactly("host-a");
    assertThat(backend.operator().showAgent("host-a").registeredAt()).isEqualTo(registeredAt);
    assertThat(agent.heartbeat().commandsPending()).isZero();
    assertThat(
            client
                .post(
                    ProtocolPaths.heartbeat("host-a"),
                    firstAccess,
                    TestAgent.healthyHeartbeat(null))
                .status())
        .isEqualTo(401);
    assertThat(client.post(ProtocolPaths.REFRESH, null, new RefreshRequest(firstRefresh)).status())
        .isEqualTo(401);
  }

  @Test
  void singleUseBootstrapTokenRegistersOnlyOneAgent() throws Exception {
    start();
    String bootstrap = backend.createBootstrapToken(true, null);
    new TestAgent(client, "host-a").register(bootstrap);
    new TestAgent(client, "host-a").register(bootstrap);

    ContractClient.Answer second =
        client.post(ProtocolPaths.REGISTER, bootstrap, TestAgent.identity("host-b", null));
    assertThat(second.status()).isEqualTo(401);
    assertThat(second.problem().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(count("SELECT COUNT(*) FROM agents")).isEqualTo(1);
  }

  @Test
  void unknownAndExpiredBootstrapTokensAreRefused() throws Exception {
    start();
    String expiring = backend.createBootstrapToken(false, Duration.ofSeconds(1));
    assertThat(
            client
                .post(ProtocolPaths.REGISTER, "vmb_not-a-real-token", TestAgent.identity("x", null))
                .status())
        .isEqualTo(401);
    assertThat(client.post(ProtocolPaths.REGISTER, null, TestAgent.identity("x", null)).status())
        .isEqualTo(401);
    Thread.sleep(1_100);
    ContractClient.Answer late =
        client.post(ProtocolPaths.REGISTER, expiring, TestAgent.identity("x", null));
    assertThat(late.status()).isEqualTo(401);
    assertThat(late.problem().detail()).contains("expired");
    assertThat(count("SELECT COUNT(*) FROM agents")).isZero();
  }

  @Test
  void expiredAccessTokenIsRefusedAndARefreshedOneWorks() throws Exception {
    // JWT expiry has whole-second precision: a 3 s token lives between 2 and 3 s.
    start(b -> b.accessTokenTtl(Duration.ofSeconds(3)));
    TestAgent agent = registeredAgent("host-a");
    agent.heartbeat();
    Thread.sleep(3_100);

    ContractClient.Answer expired =
        client.post(
            ProtocolPaths.heartbeat("host-a"), agent.accessToken, TestAgent.healthyHeartbeat(null));
    assertThat(expired.status()).isEqualTo(401);
    assertThat(expired.problem().detail()).contains("expired");

    TokenPair pair =
        client
            .post(ProtocolPaths.REFRESH, null, new RefreshRequest(agent.refreshToken))
            .as(TokenPair.class);
    assertThat(pair.refreshToken()).isNotEqualTo(agent.refreshToken);
    agent.accessToken = pair.accessToken();
    assertThat(agent.heartbeat().serverTime()).isNotNull();
  }

  @Test
  void reusedRefreshTokenIsRefusedAndRevokesTheWholeChain() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    String first = agent.refreshToken;
    TokenPair second =
        client.post(ProtocolPaths.REFRESH, null, new RefreshRequest(first)).as(TokenPair.class);

    assertThat(
            client
                .post(
                    ProtocolPaths.heartbeat("host-a"),
                    second.accessToken(),
                    TestAgent.healthyHeartbeat(null))
                .status())
        .isEqualTo(200);
    ContractClient.Answer reuse =
        client.post(ProtocolPaths.REFRESH, null, new RefreshRequest(first));
    assertThat(reuse.status()).isEqualTo(401);
    assertThat(reuse.problem().detail()).contains("already used").doesNotContain(first);

    assertThat(
            client
                .post(ProtocolPaths.REFRESH, null, new RefreshRequest(second.refreshToken()))
                .status())
        .as("the rotated refresh token died with its chain")
        .isEqualTo(401);
    assertThat(
            client
                .post(
                    ProtocolPaths.heartbeat("host-a"),
                    second.accessToken(),
                    TestAgent.healthyHeartbeat(null))
                .status())
        .as("the chain's access token died with it")
        .isEqualTo(401);

    agent.register(agent.bootstrapToken);
    assertThat(agent.heartbeat().serverTime()).isNotNull();
  }

  @Test
  void agentTokenIsRefusedForAnotherAgentsResourcesAndForTheOperatorApi() throws Exception {
    start();
    TestAgent a = registeredAgent("host-a");
    TestAgent b = registeredAgent("host-b");
    CommandView forB = queue("host-b", "start", Map.of("vm", "db-1"));

    ContractClient.Answer poll = client.get(ProtocolPaths.commands("host-b", 0), a.accessToken);
    assertThat(poll.status()).isEqualTo(403);
    assertThat(poll.problem().code()).isEqualTo(ErrorCode.FORBIDDEN);
    assertThat(
            client
                .post(
                    ProtocolPaths.heartbeat("host-b"),
                    a.accessToken,
                    TestAgent.healthyHeartbeat(null))
                .status())
        .isEqualTo(403);
    assertThat(client.get(ProtocolPaths.agentStatus("host-b"), a.accessToken).status())
        .isEqualTo(403);

    Instant now = Instant.now();
    ContractClient.Answer stolenResult =
        a.submit(CommandResult.succeeded(forB.id(), null, now, now));
    assertThat(stolenResult.status()).isEqualTo(403);
    assertThat(command(forB.id()).state()).isEqualTo(CommandState.QUEUED);

    assertThat(client.get(ProtocolPaths.OPERATOR_AGENTS, a.accessToken).status()).isEqualTo(403);
    assertThat(
            client
                .post(
                    ProtocolPaths.OPERATOR_COMMANDS,
                    a.accessToken,
                    new QueueCommandRequest("host-b", "delete", Map.of("vm", "db-1"), null))
                .status())
        .isEqualTo(403);
    assertThat(client.get(ProtocolPaths.OPERATOR_AGENTS, null).status()).isEqualTo(401);
    assertThat(client.get(ProtocolPaths.STATUS_OVERVIEW, a.accessToken).status()).isEqualTo(403);
    assertThat(client.get(ProtocolPaths.commands("host-a", 0), backend.operatorToken()).status())
        .as("the operator token is no agent token")
        .isEqualTo(403);
    assertThat(count("SELECT COUNT(*) FROM commands")).isEqualTo(1);
    assertThat(b.poll(0).commands()).extracting(Command::id).containsExactly(forB.id());
  }

  @Test
  void unansweredCommandIsDeliveredAgainAfterItsLease() throws Exception {
    start(b -> b.leaseDuration(Duration.ofSeconds(2)));
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = queue("host-a", "restart", Map.of("vm", "web-1"));

    Command first = agent.poll(0).commands().get(0);
    assertThat(first.delivery()).isEqualTo(1);
    assertThat(agent.poll(0).commands()).as("leased: not delivered twice at once").isEmpty();

    Thread.sleep(2_100);
    CommandBatch again = agent.poll(0);
    assertThat(again.commands()).hasSize(1);
    assertThat(again.commands().get(0).id()).isEqualTo(queued.id());
    assertThat(again.commands().get(0).delivery()).isEqualTo(2);
    assertThat(command(queued.id()).deliveries()).isEqualTo(2);
  }

  @Test
  void commandsAreListedNewestFirstFilteredAndInPages() throws Exception {
    start();
    registeredAgent("host-a");
    registeredAgent("host-b");
    List<String> webOnA = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      webOnA.add(queue("host-a", i % 2 == 0 ? "pause" : "resume", Map.of("vm", "web-1")).id());
    }
    queue("host-a", "start", Map.of("vm", "db-1"));
    queue("host-b", "start", Map.of("vm", "web-1"));

    List<CommandView> pages = new ArrayList<>();
    String after = null;
    int requests = 0;
    do {
      CommandList page =
          client
              .get(
                  ProtocolPaths.operatorCommands(
                      query("agent_id", "host-a", "vm", "web-1", "limit", "2", "after", after)),
                  operator())
              .as(CommandList.class);
      assertThat(page.commands().size()).isLessThanOrEqualTo(2);
      pages.addAll(page.commands());
      after = page.next();
      requests++;
    } while (after != null);
    assertThat(pages).extracting(CommandView::id).containsExactlyElementsOf(reversed(webOnA));
    assertThat(requests).isEqualTo(3);

    CommandList pauses =
        client
            .get(
                ProtocolPaths.operatorCommands(
                    query("operation", "pause", "state", "queued", "agent_id", "host-a")),
                operator())
            .as(CommandList.class);
    assertThat(pauses.commands())
        .hasSize(3)
        .allSatisfy(c -> assertThat(c.operation()).isEqualTo("pause"));
    assertThat(pauses.next()).isNull();

    Instant future = Instant.now().plusSeconds(3600);
    assertThat(
            client
                .get(ProtocolPaths.operatorCommands(query("since", future.toString())), operator())
                .as(CommandList.class)
                .commands())
        .isEmpty();
    assertThat(
            client
                .get(ProtocolPaths.operatorCommands(query("until", future.toString())), operator())
                .as(CommandList.class)
                .commands())
        .hasSize(7);
  }

  @Test
  void badCommandListQueriesAreRefusedClearly() throws Exception {
    start();
    registeredAgent("host-a");
    queue("host-a", "start", Map.of("vm", "web-1"));

    for (Map<String, String> bad :
        List.of(
            query("state", "sleeping"),
            query("limit", "0"),
            query("limit", "501"),
            query("since", "yesterday"),
            query("after", "00000000-0000-4000-8000-000000000000"))) {
      ContractClient.Answer answer =
          client.raw("GET", ProtocolPaths.operatorCommands(bad), operator(), null, null);
      assertThat(answer.status()).as("%s", bad).isEqualTo(400);
      assertThat(answer.problem().detail()).as("%s", bad).isNotBlank();
    }
    assertThat(client.get(ProtocolPaths.operatorCommands(Map.of()), null).status()).isEqualTo(401);
  }

  @Test
  void aCancelledQueuedCommandIsNeverDeliveredAndCancellingAgainChangesNothing() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = queue("host-a", "delete", Map.of("vm", "web-1"));

    CommandView cancelled =
        client
            .post(ProtocolPaths.operatorCommandCancel(queued.id()), operator(), null)
            .as(CommandView.class);
    assertThat(cancelled.state()).isEqualTo(CommandState.CANCELLED);
    assertThat(cancelled.finished()).isTrue();
    assertThat(agent.poll(0).commands()).as("no agent ever receives it").isEmpty();
    assertThat(
            client
                .post(ProtocolPaths.operatorCommandCancel(queued.id()), operator(), null)
                .as(CommandView.class))
        .isEqualTo(cancelled);
    assertThat(command(queued.id()).state()).isEqualTo(CommandState.CANCELLED);
    assertThat(
            client
                .post(
                    ProtocolPaths.operatorCommandCancel("00000000-0000-4000-8000-000000000000"),
                    operator(),
                    null)
                .status())
        .isEqualTo(404);
  }

  @Test
  void aLeasedCommandAskedToCancelIsNotDeliveredAgainAndItsResultIsAccepted() throws Exception {
    start(b -> b.leaseDuration(Duration.ofSeconds(2)));
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = queue("host-a", "stop", Map.of("vm", "web-1"));
    Command leased = agent.poll(0).commands().get(0);

    CommandView asked =
        client
            .post(ProtocolPaths.operatorCommandCancel(queued.id()), operator(), null)
            .as(CommandView.class);
    assertThat(asked.state()).isEqualTo(CommandState.LEASED);
    assertThat(asked.cancelRequestedAt()).isNotNull();
    Thread.sleep(2_100);
    assertThat(agent.poll(0).commands()).as("its lease ran out: still not delivered").isEmpty();

    Instant now = Instant.now();
    ResultAck ack =
        agent
            .submit(
                CommandResult.succeeded(
                    leased.id(),
                    JsonNodeFactory.instance.objectNode().put("state", "shut_off"),
                    now.minusMillis(5),
                    now))
            .as(ResultAck.class);
    assertThat(ack.duplicate()).isFalse();
    CommandView done = command(queued.id());
    assertThat(done.state()).isEqualTo(CommandState.SUCCEEDED);
    assertThat(done.cancelRequestedAt()).isEqualTo(asked.cancelRequestedAt());
  }

  @Test
  void aProtocol4AgentIsToldOfCancelRequestsAndItsCancelledResultCancelsTheCommand()
      throws Exception {
    start();
    TestAgent agent = new TestAgent(client, "host-new");
    agent.registerSpeaking(backend.createBootstrapToken(false, null), 4);
    TestAgent older = new TestAgent(client, "host-old");
    older.registerSpeaking(backend.createBootstrapToken(false, null), 3);
    CommandView stop = queue("host-new", "stop", Map.of("vm", "web-1"));
    CommandView other = queue("host-old", "stop", Map.of("vm", "web-1"));
    Command leased = agent.poll(0).commands().get(0);
    older.poll(0);
    assertThat(agent.heartbeat().cancelRequested()).as("nobody asked yet").isNull();

    client.post(ProtocolPaths.operatorCommandCancel(stop.id()), operator(), null);
    client.post(ProtocolPaths.operatorCommandCancel(other.id()), operator(), null);
    assertThat(agent.heartbeat().cancelRequested()).containsExactly(stop.id());
    assertThat(agent.poll(0).cancelRequested()).containsExactly(stop.id());
    assertThat(older.heartbeat().cancelRequested()).as("an older agent: today's answer").isNull();
    assertThat(older.poll(0).cancelRequested()).isNull();
    assertThat(older.heartbeatSpeaking(4).cancelRequested())
        .as("upgraded in place: its first heartbeat names protocol 4")
        .containsExactly(other.id());

    Instant now = Instant.now();
    CommandResult cancelled =
        new CommandResult(
            leased.id(),
            ResultStatus.FAILED,
            JsonNodeFactory.instance.objectNode().put("state_after", "running"),
            CommandError.of(ErrorCode.CANCELLED),
            now.minusMillis(5),
            now);
    assertThat(agent.submit(cancelled).as(ResultAck.class).duplicate()).isFalse();
    assertThat(agent.submit(cancelled).as(ResultAck.class).duplicate()).isTrue();
    CommandView done = command(stop.id());
    assertThat(done.state()).isEqualTo(CommandState.CANCELLED);
    assertThat(done.result()).isEqualTo(cancelled);
    assertThat(agent.heartbeat().cancelRequested()).as("answered: no longer asked").isNull();
  }

  @Test
  void aWaitingPollIsAnsweredAtOnceWithACancelRequest() throws Exception {
    start();
    TestAgent agent = new TestAgent(client, "host-new");
    agent.registerSpeaking(backend.createBootstrapToken(false, null), 4);
    CommandView stop = queue("host-new", "stop", Map.of("vm", "web-1"));
    agent.poll(0);
    CompletableFuture<CommandBatch> waiting = CompletableFuture.supplyAsync(() -> agent.poll(30));
    await().atMost(Duration.ofSeconds(10)).until(() -> backend.waitingPolls() == 1);

    client.post(ProtocolPaths.operatorCommandCancel(stop.id()), operator(), null);
    CommandBatch answer = waiting.get(10, TimeUnit.SECONDS);
    assertThat(answer.commands()).isEmpty();
    assertThat(answer.cancelRequested()).containsExactly(stop.id());
  }

  @Test
  void cancellingAFinishedCommandIsAConflictAndChangesNothing() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = queue("host-a", "start", Map.of("vm", "web-1"));
    Command leased = agent.poll(0).commands().get(0);
    Instant now = Instant.now();
    agent.submit(CommandResult.succeeded(leased.id(), null, now.minusMillis(5), now));
    CommandView before = command(queued.id());

    ContractClient.Answer answer =
        client.post(ProtocolPaths.operatorCommandCancel(queued.id()), operator(), null);
    assertThat(answer.status()).isEqualTo(409);
    assertThat(answer.problem().detail()).contains("succeeded");
    assertThat(command(queued.id())).isEqualTo(before);
  }

  @Test
  void eventsAreOrderedByTheTimeOnTheBackendsClockAndShowTheAgentsOffset() throws Exception {
    start();
    TestAgent ahead = registeredAgent("host-ahead");
    TestAgent behind = registeredAgent("host-behind");
    Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
    // host-ahead's clock runs 120 s fast: its event at 10:01:30 happened at 10:00:30 backend
    // time, after host-behind's at 10:00:10 on a clock 60 s slow (10:00:10 + 60 s = 10:01:10)...
    client.post(
        ProtocolPaths.events("host-ahead"),
        ahead.accessToken,
        new EventBatch(
            List.of(
                new VmEvent(
                    1, t0.plusSeconds(90), "web-1", null, VmEventType.STOPPED, null, 120_000L))));
    client.post(
        ProtocolPaths.events("host-behind"),
        behind.accessToken,
        new EventBatch(
            List.of(
                new VmEvent(
                    1, t0.plusSeconds(10), "web-1", null, VmEventType.STARTED, null, -60_000L))));
    // ...so newest first is host-behind (10:01:10) then host-ahead (10:00:30), though by their
    // own clocks host-ahead's came last.
    EventList all =
        client.get(ProtocolPaths.operatorEvents(Map.of()), operator()).as(EventList.class);
    assertThat(all.events())
        .extracting(StoredEvent::agentId, StoredEvent::timestamp, StoredEvent::clockOffsetMs)
        .containsExactly(
            tuple("host-behind", t0.plusSeconds(10), -60_000L),
            tuple("host-ahead", t0.plusSeconds(90), 120_000L));
    EventList since =
        client
            .get(
                ProtocolPaths.operatorEvents(query("since", t0.plusSeconds(60).toString())),
                operator())
            .as(EventList.class);
    assertThat(since.events())
        .as("filtered on the backend's clock too")
        .extracting(StoredEvent::agentId)
        .containsExactly("host-behind");
    EventList paged =
        client
            .get(ProtocolPaths.operatorEvents(query("limit", "1")), operator())
            .as(EventList.class);
    assertThat(
            client
                .get(
                    ProtocolPaths.operatorEvents(query("limit", "1", "after", paged.next())),
                    operator())
                .as(EventList.class)
                .events())
        .extracting(StoredEvent::agentId)
        .containsExactly("host-ahead");
  }

  @Test
  void storedEventsAreListedNewestFirstFilteredAndInPages() throws Exception {
    start();
    TestAgent a = registeredAgent("host-a");
    TestAgent b = registeredAgent("host-b");
    Instant t0 = Instant.parse("2026-12-06T10:00:00Z");
    List<VmEvent> onA = new ArrayList<>();
    for (int i = 1; i <= 5; i++) {
      onA.add(
          new VmEvent(
              i,
              t0.plusSeconds(i),
              i % 2 == 0 ? "db-1" : "web-1",
              null,
              i % 2 == 0 ? VmEventType.STOPPED : VmEventType.STARTED,
              "d" + i));
    }
    client.post(ProtocolPaths.events("host-a"), a.accessToken, new EventBatch(onA));
    // Same instant as host-a's third event: the order falls back to the agent, then the sequence.
    client.post(
        ProtocolPaths.events("host-b"),
        b.accessToken,
        new EventBatch(
            List.of(new VmEvent(1, t0.plusSeconds(3), "web-1", null, VmEventType.STARTED, null))));

    List<StoredEvent> all = new ArrayList<>();
    String after = null;
    do {
      EventList page =
          client
              .get(ProtocolPaths.operatorEvents(query("limit", "2", "after", after)), operator())
              .as(EventList.class);
      all.addAll(page.events());
      after = page.next();
    } while (after != null);
    assertThat(all)
        .extracting(e -> e.agentId() + "#" + e.sequence())
        .containsExactly("host-a#5", "host-a#4", "host-b#1", "host-a#3", "host-a#2", "host-a#1");
    assertThat(all.get(0).eventType()).isEqualTo("started");
    assertThat(all.get(0).detail()).isEqualTo("d5");
    assertThat(all.get(0).receivedAt()).isNotNull();

    EventList webOnA =
        client
            .get(
                ProtocolPaths.operatorEvents(
                    query(
                        "agent_id",
                        "host-a",
                        "vm",
                        "web-1",
                        "since",
                        t0.plusSeconds(2).toString(),
                        "until",
                        t0.plusSeconds(5).toString())),
                operator())
            .as(EventList.class);
    assertThat(webOnA.events()).extracting(StoredEvent::sequence).containsExactly(3L);
    assertThat(
            client
                .get(ProtocolPaths.operatorEvents(query("type", "stopped")), operator())
                .as(EventList.class)
                .events())
        .extracting(StoredEvent::sequence)
        .containsExactly(4L, 2L);
    assertThat(
            client
                .raw(
                    "GET",
                    ProtocolPaths.operatorEvents(query("after", "bm90LWEtY3Vyc29y")),
                    operator(),
                    null,
                    null)
                .status())
        .isEqualTo(400);
    assertThat(client.get(ProtocolPaths.operatorEvents(Map.of()), a.accessToken).status())
        .as("an agent may not read the fleet's events")
        .isEqualTo(403);
  }

  /** Query parameters in their order, from name-value pairs (a null value is left out later). */
  static Map<String, String> query(String... pairs) {
    Map<String, String> query = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      query.put(pairs[i], pairs[i + 1]);
    }
    return query;
  }

  private static List<String> reversed(List<String> ids) {
    List<String> copy = new ArrayList<>(ids);
    java.util.Collections.reverse(copy);
    return copy;
  }

  @Test
  void concurrentPollsNeverLeaseTheSameCommandTwice() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    int total = 40;
    for (int i = 0; i < total; i++) {
      backend.queueCommand("host-a", "info", Map.of("vm", "vm-" + i));
    }
    List<String> delivered = java.util.Collections.synchronizedList(new ArrayList<>());
    java.util.concurrent.atomic.AtomicInteger polls =
        new java.util.concurrent.atomic.AtomicInteger();
    List<CompletableFuture<Void>> pollers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      pollers.add(
          CompletableFuture.runAsync(
              () -> {
                while (delivered.size() < total && polls.incrementAndGet() < 400) {
                  client
                      .get(ProtocolPaths.commands("host-a", 0) + "&max=3", agent.accessToken)
                      .as(CommandBatch.class)
                      .commands()
                      .forEach(c -> delivered.add(c.id()));
                }
              }));
    }
    CompletableFuture.allOf(pollers.toArray(new CompletableFuture<?>[0]))
        .get(60, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(delivered).doesNotHaveDuplicates().hasSize(total);
  }

  @Test
  void repeatedResultIsAcknowledgedButNotApplied() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = queue("host-a", "start", Map.of("vm", "web-1"));
    Command command = agent.poll(0).commands().get(0);

    Instant then = Instant.now();
    CommandResult first =
        CommandResult.succeeded(
            command.id(),
            JsonNodeFactory.instance.objectNode().put("state", "running"),
            then.minusMillis(5),
            then);
    assertThat(agent.submit(first).as(ResultAck.class).duplicate()).isFalse();
    assertThat(agent.submit(first).as(ResultAck.class))
        .as("an identical re-delivery")
        .isEqualTo(new ResultAck(command.id(), true));
    Instant now = Instant.now();
    ResultAck repeat =
        agent
            .submit(
                CommandResult.failed(
                    command.id(), CommandError.of(ErrorCode.OPERATION_FAILED), now, now))
            .as(ResultAck.class);
    assertThat(repeat.duplicate()).isTrue();

    CommandView view = command(queued.id());
    assertThat(view.state()).isEqualTo(CommandState.SUCCEEDED);
    assertThat(view.result().error()).isNull();
    assertThat(view.result().result().get("state").asText()).isEqualTo("running");

    ContractClient.Answer unknown =
        agent.submit(
            CommandResult.succeeded("00000000-0000-4000-8000-000000000000", null, now, now));
    assertThat(unknown.status()).isEqualTo(404);
  }

  @Test
  void resultForAnExpiredCommandIsRefusedItStaysExpiredAndTheLateResultIsShown() throws Exception {
    start(b -> b.leaseDuration(Duration.ofSeconds(1)));
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = dueInASecond("host-a", "start", "web-1");
    Command command = agent.poll(0).commands().get(0);
    Thread.sleep(1_200);
    assertThat(command(queued.id()).state()).isEqualTo(CommandState.EXPIRED);

    Instant now = Instant.now();
    CommandResult late =
        CommandResult.succeeded(
            command.id(),
            JsonNodeFactory.instance.objectNode().put("state", "running"),
            now.minusSeconds(1),
            now);
    ContractClient.Answer refused = agent.submit(late);
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.problem().code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(refused.problem().detail()).contains("expired").contains("late_result");
    assertThat(agent.submit(late).status()).as("and again").isEqualTo(409);

    CommandView view = command(queued.id());
    assertThat(view.state()).isEqualTo(CommandState.EXPIRED);
    assertThat(view.result()).isNull();
    assertThat(view.lateResult()).isEqualTo(late);
    assertThat(view.deliveries()).isEqualTo(1);
  }

  @Test
  void overdueCommandsExpireWithoutAPollAndAreNeitherLeasedNorTakeAResult() throws Exception {
    start(b -> b.leaseDuration(Duration.ofSeconds(1)));
    TestAgent agent = registeredAgent("host-a");
    CommandView leased = dueInASecond("host-a", "start", "web-1");
    Command delivered = agent.poll(0).commands().get(0);
    CommandView waiting = dueInASecond("host-a", "stop", "web-1");

    // No poll and no read of either command: the backend's sweep expires both, for the history
    // and the counts.
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .untilAsserted(
            () ->
                assertThat(
                        client
                            .get(
                                ProtocolPaths.operatorCommands(query("agent_id", "host-a")),
                                operator())
                            .as(CommandList.class)
                            .commands())
                    .extracting(CommandView::id, CommandView::state)
                    .containsExactlyInAnyOrder(
                        tuple(leased.id(), CommandState.EXPIRED),
                        tuple(waiting.id(), CommandState.EXPIRED)));
    assertThat(count("SELECT COUNT(*) FROM commands WHERE state = 'expired'")).isEqualTo(2);

    assertThat(agent.poll(0).commands()).as("an overdue command is never leased").isEmpty();
    Instant now = Instant.now();
    ContractClient.Answer late =
        agent.submit(CommandResult.succeeded(delivered.id(), null, now.minusSeconds(1), now));
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.problem().detail()).contains("expired");
    assertThat(command(leased.id()).state()).isEqualTo(CommandState.EXPIRED);
    assertThat(command(waiting.id()).state()).isEqualTo(CommandState.EXPIRED);
  }

  @Test
  void resultForACommandNeverLeasedIsRefusedAndItStaysQueued() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = queue("host-a", "start", Map.of("vm", "web-1"));

    Instant now = Instant.now();
    ContractClient.Answer refused =
        agent.submit(CommandResult.succeeded(queued.id(), null, now.minusSeconds(1), now));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.problem().code()).isEqualTo(ErrorCode.CONFLICT);
    assertThat(refused.problem().detail()).contains("queued");

    CommandView view = command(queued.id());
    assertThat(view.state()).isEqualTo(CommandState.QUEUED);
    assertThat(view.result()).isNull();
    assertThat(view.lateResult()).isNull();
    Command delivered = agent.poll(0).commands().get(0);
    assertThat(delivered.delivery()).isEqualTo(1);
    assertThat(agent.succeed(delivered, "running").duplicate()).isFalse();
    assertThat(command(queued.id()).state()).isEqualTo(CommandState.SUCCEEDED);
  }

  @Test
  void commandPastItsDeadlineExpiresInsteadOfBeingDelivered() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    CommandView queued = dueInASecond("host-a", "start", "web-1");
    Thread.sleep(1_100);
    assertThat(agent.poll(0).commands()).isEmpty();
    assertThat(command(queued.id()).state()).isEqualTo(CommandState.EXPIRED);
  }

  @Test
  void agentIsOfflineAfterThreeMissedHeartbeatsAndOnlineAtTheNext() throws Exception {
    start();
    TestAgent agent = new TestAgent(client, "host-a");
    agent.register(backend.createBootstrapToken(false, null), 1);
    agent.heartbeat();
    assertThat(backend.operator().showAgent("host-a").connectivity())
        .isEqualTo(Connectivity.ONLINE);

    await()
        .atMost(Duration.ofSeconds(6))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> backend.operator().showAgent("host-a").connectivity() == Connectivity.OFFLINE);
    Instant last = backend.operator().showAgent("host-a").lastHeartbeatAt();
    assertThat(Duration.between(last, Instant.now())).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
    StatusOverview overview =
        client.get(ProtocolPaths.STATUS_OVERVIEW, null).as(StatusOverview.class);
    assertThat(overview.agentsOffline()).isEqualTo(1);
    assertThat(overview.agents()).as("anonymous overview lists no agents").isNull();

    agent.heartbeat();
    assertThat(backend.operator().showAgent("host-a").connectivity())
        .isEqualTo(Connectivity.ONLINE);
    StatusOverview full =
        client.get(ProtocolPaths.STATUS_OVERVIEW, operator()).as(StatusOverview.class);
    assertThat(full.agentsOnline()).isEqualTo(1);
    assertThat(full.agents()).extracting(AgentStatus::agentId).containsExactly("host-a");
  }

  @Test
  void anonymousOverviewCountsLikeTheAgentsOwnStatusesWithoutListingThem() throws Exception {
    start();
    TestAgent online = registeredAgent("host-a");
    online.heartbeat();
    TestAgent silent = new TestAgent(client, "host-b");
    silent.register(backend.createBootstrapToken(false, null), 1);
    registeredAgent("host-c").stoppingHeartbeat();
    registeredAgent("host-d");
    backend.operator().revokeAgent("host-d");
    await()
        .atMost(Duration.ofSeconds(8))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> backend.operator().showAgent("host-b").connectivity() == Connectivity.OFFLINE);
    online.heartbeat();

    StatusOverview anonymous =
        client.get(ProtocolPaths.STATUS_OVERVIEW, null).as(StatusOverview.class);
    StatusOverview full =
        client.get(ProtocolPaths.STATUS_OVERVIEW, operator()).as(StatusOverview.class);
    assertThat(anonymous.agents()).isNull();
    assertThat(
            List.of(anonymous.agentsTotal(), anonymous.agentsOnline(), anonymous.agentsOffline()))
        .containsExactly(3, 1, 2)
        .containsExactly(full.agentsTotal(), full.agentsOnline(), full.agentsOffline());

    // Counted at most once a second: a new agent shows within about that.
    registeredAgent("host-e").heartbeat();
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                client
                        .get(ProtocolPaths.STATUS_OVERVIEW, null)
                        .as(StatusOverview.class)
                        .agentsOnline()
                    == 2);
  }

  @Test
  void operatorAgentListComesInPagesFollowedByItsNextCursor() throws Exception {
    start();
    for (String id : List.of("host-e", "host-b", "host-d", "host-a", "host-c")) {
      registeredAgent(id);
    }

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      AgentList page =
          client.get(ProtocolPaths.operatorAgents(after, 2), operator()).as(AgentList.class);
      assertThat(page.agents()).hasSizeLessThanOrEqualTo(2);
      page.agents().forEach(a -> seen.add(a.agentId()));
      after = page.next();
      pages++;
    } while (after != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactly("host-a", "host-b", "host-c", "host-d", "host-e");

    AgentList exact =
        client.get(ProtocolPaths.operatorAgents(null, 5), operator()).as(AgentList.class);
    assertThat(exact.agents()).hasSize(5);
    assertThat(exact.next()).as("no empty page after an exact fit").isNull();
    AgentList unpaged = client.get(ProtocolPaths.OPERATOR_AGENTS, operator()).as(AgentList.class);
    assertThat(unpaged.agents()).hasSize(5);
    assertThat(unpaged.next()).isNull();
    assertThat(backend.operator().listAgents())
        .extracting(AgentStatus::agentId)
        .containsExactly("host-a", "host-b", "host-c", "host-d", "host-e");

    ContractClient.Answer tooMany =
        client.send("GET", ProtocolPaths.operatorAgents(null, 501), operator(), null, null, false);
    assertThat(tooMany.status()).isEqualTo(400);
    ContractClient.Answer badCursor =
        client.send(
            "GET", ProtocolPaths.OPERATOR_AGENTS + "?after=..%2Fx", operator(), null, null, false);
    assertThat(badCursor.status()).isEqualTo(400);
  }

  @Test
  void badRequestsAreRejectedWithAProblemAndNothingIsStored() throws Exception {
    start(b -> b.maxBodyBytes(4096, 8192));
    TestAgent agent = registeredAgent("host-a");
    String hb = ProtocolPaths.heartbeat("host-a");

    ContractClient.Answer badJson =
        client.raw("POST", hb, agent.accessToken, "application/json", "{\"status\": \"healthy\",");
    assertThat(badJson.status()).isEqualTo(400);
    assertThat(badJson.problem().code()).isEqualTo(ErrorCode.BAD_REQUEST);

    String unknownField =
        ContractClient.WRITER
            .writeValueAsString(TestAgent.identity("host-z", null))
            .replace("{", "{\"colour\":\"red\",");
    ContractClient.Answer unknown =
        client.raw(
            "POST",
            ProtocolPaths.REGISTER,
            backend.createBootstrapToken(false, null),
            "application/json",
            unknownField);
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.problem().detail()).contains("colour");

    String wrongType =
        "{\"agent_id\":\"host-a\",\"operation\":\"start\",\"params\":{\"vm\":\"web-1\"},"
            + "\"deadline_seconds\":\"soon\"}";
    ContractClient.Answer typed =
        client.raw(
            "POST", ProtocolPaths.OPERATOR_COMMANDS, operator(), "application/json", wrongType);
    assertThat(typed.status()).isEqualTo(400);
    assertThat(typed.problem().errors()).isNotEmpty();

    ContractClient.Answer notJson =
        client.raw("POST", hb, agent.accessToken, "text/plain", "healthy");
    assertThat(notJson.status()).isEqualTo(415);

    ObjectNode big = JsonNodeFactory.instance.objectNode().put("blob", "x".repeat(9000));
    ContractClient.Answer oversized =
        client.raw(
            "POST",
            ProtocolPaths.metrics("host-a"),
            agent.accessToken,
            "application/json",
            ContractClient.WRITER.writeValueAsString(
                new MetricsBatch(List.of(new MetricsSample(Instant.now(), big)))));
    assertThat(oversized.status()).isEqualTo(413);
    assertThat(oversized.problem().code()).isEqualTo(ErrorCode.PAYLOAD_TOO_LARGE);

    ContractClient.Answer badWait =
        client.send(
            "GET", ProtocolPaths.commands("host-a", 31), agent.accessToken, null, null, false);
    assertThat(badWait.status()).isEqualTo(400);

    ContractClient.Answer badStatus =
        client.raw(
            "POST",
            hb,
            agent.accessToken,
            "application/json",
            ContractClient.WRITER
                .writeValueAsString(TestAgent.healthyHeartbeat(null))
                .replace("\"healthy\"", "\"fine\""));
    assertThat(badStatus.status()).isEqualTo(400);

    assertThat(count("SELECT COUNT(*) FROM agents WHERE last_heartbeat_at IS NOT NULL")).isZero();
    assertThat(count("SELECT COUNT(*) FROM agents")).isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM commands")).isZero();
    assertThat(count("SELECT COUNT(*) FROM metrics_samples")).isZero();
  }

  @Test
  void aNulCharacterAnywhereInTheBodyIsRefusedAndNothingIsStored() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    ContractClient.Answer vmName =
        client.post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(new VmSummary("vm\u0000hidden", null, "running"))));
    assertThat(vmName.status()).isEqualTo(400);
    assertThat(vmName.problem().detail()).contains("NUL");

    ObjectNode snapshot = JsonNodeFactory.instance.objectNode();
    snapshot.putObject("disks").put("vd\u0000a", 1);
    ContractClient.Answer key =
        client.post(
            ProtocolPaths.metrics("host-a"),
            agent.accessToken,
            new MetricsBatch(List.of(new MetricsSample(Instant.now(), snapshot))));
    assertThat(key.status()).isEqualTo(400);

    // An escaped backslash followed by "u0000" is no NUL.
    ContractClient.Answer lookalike =
        client.post(
            ProtocolPaths.heartbeat("host-a"),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(new VmSummary("vm\\u0000", null, "running"))));
    assertThat(lookalike.status()).isEqualTo(200);

    assertThat(count("SELECT COUNT(*) FROM metrics_samples")).isZero();
    assertThat(count("SELECT COUNT(*) FROM vms")).isEqualTo(1);
  }

  @Test
  void metricsAreStoredAtTheirOwnTimestampsAndARedeliveredBatchIsSkipped() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    Instant hourAgo = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    List<MetricsSample> samples = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ObjectNode snapshot = JsonNodeFactory.instance.objectNode();
      snapshot.putObject("system").put("cpu_percent", 10 + i);
      samples.add(new MetricsSample(hourAgo.plusSeconds(60L * i), snapshot));
    }
    MetricsBatch batch = new MetricsBatch(samples);
    IngestAck first =
        client.post(ProtocolPaths.metrics("host-a"), agent.accessToken, batch).as(IngestAck.class);
    assertThat(first).isEqualTo(new IngestAck(3, 0));
    IngestAck again =
        client.post(ProtocolPaths.metrics("host-a"), agent.accessToken, batch).as(IngestAck.class);
    assertThat(again).isEqualTo(new IngestAck(0, 3));

    List<Instant> stored = new ArrayList<>();
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT sample_time, snapshot_json FROM metrics_samples ORDER BY sample_time")) {
      try (ResultSet rows = s.executeQuery()) {
        while (rows.next()) {
          stored.add(rows.getObject(1, OffsetDateTime.class).toInstant());
          assertThat(rows.getString(2)).contains("cpu_percent");
        }
      }
    }
    assertThat(stored).containsExactly(hourAgo, hourAgo.plusSeconds(60), hourAgo.plusSeconds(120));
  }

  @Test
  void aRepeatedInventoryKeepsItsRowsCurrentAndTheChangesLand() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    heartbeatWith(
        agent,
        new VmSummary("web-1", null, "running"),
        new VmSummary("db-1", null, "running"),
        new VmSummary("old-1", null, "paused"));
    Instant first = vmsOf("host-a").get(0).reportedAt();
    Thread.sleep(5); // the second report's time is later than the first's

    heartbeatWith(
        agent,
        new VmSummary("web-1", null, "running"),
        new VmSummary("db-1", "6695eb01-f6a4-8304-79aa-97f2502e193f", "paused"),
        new VmSummary("new-2", null, "running"));

    List<VmView> vms = vmsOf("host-a");
    assertThat(vms)
        .extracting(VmView::name, VmView::uuid, VmView::state)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(
                "db-1", "6695eb01-f6a4-8304-79aa-97f2502e193f", "paused"),
            org.assertj.core.groups.Tuple.tuple("new-2", null, "running"),
            org.assertj.core.groups.Tuple.tuple("web-1", null, "running"));
    assertThat(vms)
        .extracting(VmView::reportedAt)
        .as("every row, the unchanged one too, carries the latest report's time")
        .allSatisfy(at -> assertThat(at).isAfter(first))
        .containsOnly(vms.get(0).reportedAt());
  }

  private List<VmView> vmsOf(String agentId) {
    return client
        .get(ProtocolPaths.OPERATOR_VMS + "?agent_id=" + agentId, operator())
        .as(VmList.class)
        .vms();
  }

  @Test
  void heartbeatInventoryAndLifecycleEventsKeepTheVmListCurrent() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    heartbeatWith(
        agent,
        new VmSummary("web-1", "6695eb01-f6a4-8304-79aa-97f2502e193f", "shutoff"),
        new VmSummary("db-1", null, "running"));

    Instant now = Instant.now();
    EventBatch events =
        new EventBatch(
            List.of(
                new VmEvent(1, now, "web-1", null, VmEventType.STARTED, "booted"),
                new VmEvent(2, now, "db-1", null, VmEventType.UNDEFINED, null),
                new VmEvent(3, now, "new-1", null, VmEventType.DEFINED, "added")));
    IngestAck ack =
        client.post(ProtocolPaths.events("host-a"), agent.accessToken, events).as(IngestAck.class);
    assertThat(ack).isEqualTo(new IngestAck(3, 0));
    assertThat(
            client
                .post(ProtocolPaths.events("host-a"), agent.accessToken, events)
                .as(IngestAck.class))
        .isEqualTo(new IngestAck(0, 3));

    List<VmView> vms =
        client
            .get(ProtocolPaths.OPERATOR_VMS + "?agent_id=host-a", operator())
            .as(VmList.class)
            .vms();
    assertThat(vms)
        .extracting(VmView::name, VmView::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("new-1", "shut_off"),
            org.assertj.core.groups.Tuple.tuple("web-1", "running"));
    assertThat(count("SELECT COUNT(*) FROM vm_events")).isEqualTo(3);
  }

  @Test
  void theVmsOfAnAgentThatIsNotOnlineSayTheirStateIsOnlyTheLastKnownOne() throws Exception {
    start();
    TestAgent up = registeredAgent("host-a");
    TestAgent down = registeredAgent("host-b");
    heartbeatWith(up, new VmSummary("web-1", null, "running"));
    heartbeatWith(down, new VmSummary("db-1", null, "running"));
    down.stoppingHeartbeat();

    List<VmView> vms = client.get(ProtocolPaths.OPERATOR_VMS, operator()).as(VmList.class).vms();

    assertThat(vms)
        .extracting(VmView::name, VmView::state, VmView::agentConnectivity)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("web-1", "running", Connectivity.ONLINE),
            org.assertj.core.groups.Tuple.tuple("db-1", "running", Connectivity.OFFLINE));
  }

  /** A healthy heartbeat of {@code agent} carrying this inventory. */
  private void heartbeatWith(TestAgent agent, VmSummary... vms) throws Exception {
    client
        .post(
            ProtocolPaths.heartbeat(agent.agentId),
            agent.accessToken,
            TestAgent.healthyHeartbeat(List.of(vms)))
        .as(HeartbeatResponse.class);
  }

  @Test
  void earlierStateSpellingsAreStoredAsShutOffAndRebootAndOtherEventsAreKept() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    heartbeatWith(
        agent,
        new VmSummary("web-1", null, "shutoff"),
        new VmSummary("db-1", null, "pmsuspended"),
        new VmSummary("app-1", null, "running"),
        new VmSummary("new-1", null, "shut_off"));
    Instant now = Instant.now();
    IngestAck ack =
        client
            .post(
                ProtocolPaths.events("host-a"),
                agent.accessToken,
                new EventBatch(
                    List.of(
                        new VmEvent(1, now, "db-1", null, VmEventType.REBOOTED, "reset"),
                        new VmEvent(2, now, "app-1", null, VmEventType.OTHER, "unknown: 9"))))
            .as(IngestAck.class);

    assertThat(ack).isEqualTo(new IngestAck(2, 0));
    assertThat(
            client
                .get(ProtocolPaths.OPERATOR_VMS + "?agent_id=host-a", operator())
                .as(VmList.class)
                .vms())
        .extracting(VmView::name, VmView::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("app-1", "running"),
            org.assertj.core.groups.Tuple.tuple("db-1", "running"),
            org.assertj.core.groups.Tuple.tuple("new-1", "shut_off"),
            org.assertj.core.groups.Tuple.tuple("web-1", "shut_off"));
    assertThat(count("SELECT COUNT(*) FROM vm_events WHERE event_type IN ('rebooted', 'other')"))
        .isEqualTo(2);
  }

  @Test
  void revokedAgentLosesAccessAtOnceAndCannotRegisterAgain() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    // Used once, so the backend has verified it: revocation must not wait for the token to expire.
    assertThat(client.get(ProtocolPaths.commands("host-a", 0), agent.accessToken).status())
        .isEqualTo(200);
    AgentStatus revoked =
        client
            .post(ProtocolPaths.operatorAgentRevoke("host-a"), operator(), null)
            .as(AgentStatus.class);
    assertThat(revoked.connectivity()).isEqualTo(Connectivity.REVOKED);

    assertThat(client.get(ProtocolPaths.commands("host-a", 0), agent.accessToken).status())
        .isEqualTo(401);
    assertThat(
            client
                .post(ProtocolPaths.REFRESH, null, new RefreshRequest(agent.refreshToken))
                .status())
        .isEqualTo(401);
    ContractClient.Answer again =
        client.post(
            ProtocolPaths.REGISTER,
            backend.createBootstrapToken(false, null),
            TestAgent.identity("host-a", null));
    assertThat(again.status()).isEqualTo(403);
    ContractClient.Answer queue =
        client.post(
            ProtocolPaths.OPERATOR_COMMANDS,
            operator(),
            new QueueCommandRequest("host-a", "start", Map.of("vm", "web-1"), null));
    assertThat(queue.status()).isEqualTo(409);
  }

  @Test
  void accessTokensVerifyAgainstThePublishedKeySet() throws Exception {
    start();
    TestAgent agent = registeredAgent("host-a");
    String jwks = client.get(ProtocolPaths.JWKS, null).body();
    JWKSet set = JWKSet.parse(jwks);
    assertThat(set.getKeys()).hasSize(1);
    assertThat(set.getKeys().get(0).isPrivate()).isFalse();
    SignedJWT jwt = SignedJWT.parse(agent.accessToken);
    ECKey key = (ECKey) set.getKeyByKeyId(jwt.getHeader().getKeyID());
    assertThat(jwt.verify(new ECDSAVerifier(key))).isTrue();
    assertThat(jwt.getJWTClaimsSet().getSubject()).isEqualTo("host-a");
    assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant())
        .isBefore(Instant.now().plus(Duration.ofMinutes(11)));
  }

  @Test
  void updateCheckComparesVersionsNumerically() throws Exception {
    start(b -> b.latestAgentVersion("0.10.0"));
    TestAgent agent = registeredAgent("host-a");
    UpdateInfo older =
        client.get(ProtocolPaths.latestVersion("0.9.2"), agent.accessToken).as(UpdateInfo.class);
    assertThat(older.updateAvailable()).isTrue();
    UpdateInfo same =
        client.get(ProtocolPaths.latestVersion("0.10.0"), agent.accessToken).as(UpdateInfo.class);
    assertThat(same.updateAvailable()).isFalse();
    assertThat(client.get(ProtocolPaths.latestVersion("0.1.0"), null).status()).isEqualTo(401);
  }

  @Test
  void bootstrapTokensAreStoredOnlyAsHashes() throws Exception {
    start();
    String secret = backend.createBootstrapToken(false, null);
    try (Connection c = backend.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT token_hash FROM bootstrap_tokens");
        ResultSet rows = s.executeQuery()) {
      rows.next();
      assertThat(rows.getString(1)).hasSize(64).doesNotContain(secret.substring(4, 20));
    }
    Problem problem = client.get(ProtocolPaths.OPERATOR_AGENTS, secret).problem();
    assertThat(problem.detail()).doesNotContain(secret);
  }

  private static org.assertj.core.data.TemporalUnitOffset within(int seconds) {
    return org.assertj.core.api.Assertions.within(seconds, ChronoUnit.SECONDS);
  }
}

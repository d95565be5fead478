package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.backend.client.BackendApiException;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.backend.tls.Pem;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.ClientCertificate;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.IdentityProof;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.TokenPair;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Agent identities bound to keys, over real HTTPS with real client certificates: every way the
 * earlier backend let one bootstrap token, certificate or proof take over another agent's identity
 * is tried here and must fail without changing anything. Subclasses choose the database.
 */
abstract class IdentityTests {
  @TempDir Path dir;

  private RunningBackend backend;
  private ContractClient client;
  private String schema;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  abstract TestDatabase database();

  @BeforeEach
  void setUp() {
    database().assumeAvailable();
    log.start();
    ((Logger) LoggerFactory.getLogger(RegistrationService.class)).addAppender(log);
  }

  @AfterEach
  void tearDown() throws Exception {
    ((Logger) LoggerFactory.getLogger(RegistrationService.class)).detachAppender(log);
    if (backend != null) {
      backend.close();
    }
    if (schema != null && database() == TestDatabase.POSTGRESQL) {
      TestDatabase.dropSchema(schema);
    }
    if (client != null) {
      assertThat(client.violations()).as("OpenAPI contract violations").isEmpty();
    }
  }

  private void start(Consumer<VmBackend.Builder> customise) throws Exception {
    schema = TestDatabase.newSchema();
    VmBackend.Builder builder =
        VmBackend.builder().dataDir(dir.resolve("data")).listen("127.0.0.1", 0);
    customise.accept(builder);
    backend = database().configure(builder, schema).build().start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  private void start() throws Exception {
    start(b -> {});
  }

  private KeyedAgent agent(String id) {
    return new KeyedAgent(id, backend.baseUrl(), backend.caCertificatePath(), dir);
  }

  private KeyedAgent registered(String id, String token) {
    KeyedAgent agent = agent(id);
    assertThat(agent.register(client, token).status()).isEqualTo(200);
    return agent;
  }

  private int heartbeat(ContractClient via, KeyedAgent agent) {
    return heartbeat(via, agent.agentId, agent.accessToken);
  }

  private static int heartbeat(ContractClient via, String agentId, String accessToken) {
    return via.post(ProtocolPaths.heartbeat(agentId), accessToken, TestAgent.healthyHeartbeat(null))
        .status();
  }

  private static X509Certificate leaf(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  private long warnings(String containing) {
    return log.list.stream()
        .filter(e -> e.getLevel() == Level.WARN && e.getFormattedMessage().contains(containing))
        .count();
  }

  @Test
  void registrationWithAKeyBindsTheIdAndIssuesACertificateForThatKey() throws Exception {
    start();
    KeyedAgent a = registered("host-a", backend.createBootstrapToken(false, null));

    X509Certificate certificate = leaf(a.certificatePem);
    assertThat(certificate.getPublicKey()).isEqualTo(a.keys.getPublic());
    assertThat(certificate.getSubjectAlternativeNames())
        .anySatisfy(n -> assertThat(n.get(1)).isEqualTo("urn:vm-agent:agent:host-a"));
    Duration lifetime =
        Duration.between(
            certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant());
    // Three days from its issue, valid from CERTIFICATE_BACKDATE before it.
    Duration expected = Duration.ofDays(3).plus(ProtocolPaths.CERTIFICATE_BACKDATE);
    assertThat(lifetime).isBetween(expected, expected.plusMinutes(2));
    assertThat(heartbeat(a.withCertificate(), a)).isEqualTo(200);
    AgentStatus status = backend.operator().showAgent("host-a");
    assertThat(status.keyFingerprint()).matches("([0-9a-f]{2}:){15}[0-9a-f]{2}");
  }

  @Test
  void anotherTokenOrTheSameTokenCannotTakeOverABoundIdAndNothingChanges() throws Exception {
    start();
    String fleetToken = backend.createBootstrapToken(false, null);
    KeyedAgent owner = registered("host-a", fleetToken);
    AgentStatus before = backend.operator().showAgent("host-a");

    for (String token :
        new String[] {
          fleetToken,
          backend.createBootstrapToken(false, null),
          backend.createBootstrapToken(true, null)
        }) {
      KeyedAgent attacker = agent("host-a");
      ContractClient.Answer takeover = attacker.register(client, token);
      assertThat(takeover.status()).isEqualTo(409);
      assertThat(takeover.problem().code()).isEqualTo(ErrorCode.AGENT_ID_IN_USE);
      assertThat(takeover.problem().detail()).contains("nothing was changed");
    }
    // The real agent's tokens and certificate still work; its record is as it was.
    assertThat(heartbeat(owner.withCertificate(), owner)).isEqualTo(200);
    AgentStatus after = backend.operator().showAgent("host-a");
    assertThat(after.keyFingerprint()).isEqualTo(before.keyFingerprint());
    assertThat(after.registeredAt()).isEqualTo(before.registeredAt());
    assertThat(warnings("refused a registration of agent host-a from 127.0.0.1")).isEqualTo(3);
    // The single-use token the attacker tried was not consumed by the refusal.
    assertThat(
            backend.operator().listBootstrapTokens().stream()
                .filter(t -> t.singleUse())
                .allMatch(t -> t.usedAt() == null))
        .isTrue();
  }

  @Test
  void aProofOfTheKeyRegistersAgainWithoutABootstrapTokenAndCannotBeReplayed() throws Exception {
    start();
    String token = backend.createBootstrapToken(true, Duration.ofMinutes(5));
    KeyedAgent a = registered("host-a", token);
    String oldAccess = a.accessToken;

    IdentityProof proof = a.proof(client, a.keys.getPrivate());
    ContractClient.Answer proven = client.post(ProtocolPaths.REGISTER, null, a.request(proof));
    assertThat(proven.status()).isEqualTo(200);
    assertThat(proven.json().get("client_certificate").asText()).contains("BEGIN CERTIFICATE");
    assertThat(heartbeat(client, "host-a", oldAccess))
        .as("the earlier registration's tokens are revoked")
        .isEqualTo(401);

    ContractClient.Answer replay = client.post(ProtocolPaths.REGISTER, null, a.request(proof));
    assertThat(replay.status()).isEqualTo(409);
    assertThat(replay.problem().code()).isEqualTo(ErrorCode.AGENT_ID_IN_USE);

    KeyedAgent thief = agent("host-a");
    IdentityProof forged = a.proof(client, thief.keys.getPrivate());
    assertThat(client.post(ProtocolPaths.REGISTER, null, a.request(forged)).status())
        .as("a signature with another key")
        .isEqualTo(409);
    IdentityProof otherAgents =
        registered("host-b", backend.createBootstrapToken(false, null))
            .proof(client, a.keys.getPrivate());
    assertThat(client.post(ProtocolPaths.REGISTER, null, a.request(otherAgents)).status())
        .as("a challenge issued for another agent")
        .isEqualTo(409);
  }

  @Test
  void theAgentsOwnCertificateIsAProofOfItsKey() throws Exception {
    start();
    KeyedAgent a = registered("host-a", backend.createBootstrapToken(false, null));
    ContractClient.Answer again =
        a.withCertificate().post(ProtocolPaths.REGISTER, null, a.request(null));
    assertThat(again.status()).isEqualTo(200);
  }

  @Test
  void aWipedStateDirectoryIsRefusedUntilTheOperatorResetsTheId() throws Exception {
    start();
    String token = backend.createBootstrapToken(false, null);
    KeyedAgent before = registered("host-a", token);
    KeyedAgent reinstalled = agent("host-a");
    assertThat(reinstalled.register(client, token).status()).isEqualTo(409);

    AgentStatus released = backend.operator().resetAgent("host-a");
    assertThat(released.identityReleasedAt()).isNotNull();
    assertThat(released.keyFingerprint()).isNull();
    assertThat(heartbeat(before.withCertificate(), before))
        .as("the old key's tokens stop at once")
        .isEqualTo(401);

    assertThat(reinstalled.register(client, token).status()).isEqualTo(200);
    assertThat(warnings("registered from 127.0.0.1 after an operator reset")).isEqualTo(1);
    assertThat(heartbeat(reinstalled.withCertificate(), reinstalled)).isEqualTo(200);
    assertThat(backend.operator().showAgent("host-a").identityReleasedAt()).isNull();
    assertThat(
            heartbeat(before.presenting(before.certificatePem), "host-a", reinstalled.accessToken))
        .as("a certificate for the key the reset unbound")
        .isEqualTo(403);
    assertThat(before.register(client, token).status())
        .as("the release is used up: the old key cannot come back")
        .isEqualTo(409);
  }

  @Test
  void oneAgentsCertificateWithAnotherAgentsTokenIsRefusedAndChangesNothing() throws Exception {
    start();
    String token = backend.createBootstrapToken(false, null);
    KeyedAgent a = registered("host-a", token);
    KeyedAgent b = registered("host-b", token);
    ContractClient asA = a.withCertificate();

    ContractClient.Answer forged =
        asA.post(
            ProtocolPaths.heartbeat("host-b"), b.accessToken, TestAgent.healthyHeartbeat(null));
    assertThat(forged.status()).isEqualTo(403);
    assertThat(forged.problem().detail()).contains("names another agent");
    assertThat(backend.operator().showAgent("host-b").lastHeartbeatAt()).isNull();
    assertThat(asA.get(ProtocolPaths.commands("host-b", 0), b.accessToken).status()).isEqualTo(403);
    assertThat(asA.post(ProtocolPaths.REFRESH, null, new RefreshRequest(b.refreshToken)).status())
        .isEqualTo(403);
    assertThat(
            client.post(ProtocolPaths.REFRESH, null, new RefreshRequest(b.refreshToken)).status())
        .as("the refused refresh did not spend B's token")
        .isEqualTo(200);
  }

  @Test
  void aRevokedAgentsCertificateIsRefusedAndItsTokenCannotEnrollAnotherId() throws Exception {
    start();
    String token = backend.createBootstrapToken(false, null);
    KeyedAgent a = registered("host-a", token);
    KeyedAgent b = registered("host-b", backend.createBootstrapToken(false, null));
    ContractClient asA = a.withCertificate();

    backend.operator().revokeAgent("host-a");
    assertThat(heartbeat(asA, a)).isEqualTo(401);
    assertThat(heartbeat(asA, b)).as("with another agent's token").isEqualTo(403);
    assertThat(asA.post(ProtocolPaths.REGISTER, null, a.request(null)).status()).isEqualTo(403);

    ContractClient.Answer elsewhere = agent("host-a2").register(client, token);
    assertThat(elsewhere.status())
        .as("the revoked host's bootstrap token was revoked with it")
        .isEqualTo(401);
    assertThat(heartbeat(client, b)).isEqualTo(200);

    String kept = backend.createBootstrapToken(false, null);
    registered("host-c", kept);
    backend.operator().revokeAgent("host-c", true);
    assertThat(agent("host-d").register(client, kept).status())
        .as("--keep-token leaves the token usable")
        .isEqualTo(200);
  }

  @Test
  void aBootstrapTokenCreatesAtMostItsMaxAgents() throws Exception {
    start();
    String token =
        backend
            .operator()
            .createBootstrapToken(new CreateBootstrapTokenRequest("rack 4", false, null, 2))
            .token();
    KeyedAgent first = registered("host-1", token);
    registered("host-2", token);
    ContractClient.Answer third = agent("host-3").register(client, token);
    assertThat(third.status()).isEqualTo(403);
    assertThat(third.problem().detail()).contains("2 agents");
    assertThat(first.registerWithProof(client).status())
        .as("registering an existing agent again creates none")
        .isEqualTo(200);
    assertThat(backend.operator().listBootstrapTokens().get(0).agentsCreated()).isEqualTo(2);
  }

  @Test
  void concurrentRegistrationsNeverOvershootTheTokensMaxAgentsAndTheRefusedLeaveNothing()
      throws Exception {
    start();
    String token =
        backend
            .operator()
            .createBootstrapToken(new CreateBootstrapTokenRequest("rack 5", false, null, 3))
            .token();
    List<KeyedAgent> fleet = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      fleet.add(agent("storm-" + i));
    }
    ExecutorService pool = Executors.newFixedThreadPool(12);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> answers = new ArrayList<>();
      for (KeyedAgent each : fleet) {
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return each.register(client, token).status();
                }));
      }
      go.countDown();
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> answer : answers) {
        statuses.add(answer.get(60, TimeUnit.SECONDS));
      }
      assertThat(statuses).filteredOn(s -> s == 200).hasSize(3);
      assertThat(statuses).filteredOn(s -> s == 403).hasSize(9);
    } finally {
      pool.shutdownNow();
    }
    assertThat(backend.operator().listBootstrapTokens().get(0).agentsCreated()).isEqualTo(3);
    assertThat(backend.operator().listAgents())
        .as("a refused registration is rolled back whole: no agent row is left")
        .hasSize(3);
  }

  @Test
  void anAgentOfTheEarlierProtocolIsBoundToItsKeyAtItsNextRefresh() throws Exception {
    start();
    String token = backend.createBootstrapToken(false, null);
    TestAgent legacy = new TestAgent(client, "host-old");
    legacy.register(token);
    assertThat(backend.operator().showAgent("host-old").keyFingerprint()).isNull();

    KeyedAgent upgraded = agent("host-old");
    TokenPair pair =
        client
            .post(
                ProtocolPaths.REFRESH,
                null,
                new RefreshRequest(legacy.refreshToken, upgraded.publicKey()))
            .as(TokenPair.class);
    upgraded.accessToken = pair.accessToken();
    assertThat(backend.operator().showAgent("host-old").keyFingerprint()).isNotNull();
    ClientCertificate certificate = upgraded.renew(client);
    assertThat(leaf(certificate.certificate()).getPublicKey()).isEqualTo(upgraded.keys.getPublic());

    assertThat(agent("host-old").register(client, token).status())
        .as("once bound, the token alone no longer registers it")
        .isEqualTo(409);
    assertThat(upgraded.registerWithProof(client).status()).isEqualTo(200);
  }

  @Test
  void requiredModeNeedsTheRightCertificateOnEveryEndpointButRegistration() throws Exception {
    start(b -> b.clientAuth(ClientAuth.REQUIRED));
    assertThat(client.get(ProtocolPaths.HEALTH, null).status()).isEqualTo(200);
    assertThat(client.post(ProtocolPaths.challenge("host-a"), null, null).status()).isEqualTo(200);
    KeyedAgent a = registered("host-a", backend.createBootstrapToken(false, null));

    ContractClient.Answer bare =
        client.post(
            ProtocolPaths.heartbeat("host-a"), a.accessToken, TestAgent.healthyHeartbeat(null));
    assertThat(bare.status()).isEqualTo(403);
    assertThat(bare.problem().detail()).contains("requires a client certificate");
    assertThat(heartbeat(a.withCertificate(), a)).isEqualTo(200);

    // Operators: the token alone is refused; the local operator certificate works; agent and
    // operator certificates never stand in for each other.
    ContractClient bareOperator =
        new ContractClient(backend.baseUrl(), backend.caCertificatePath());
    assertThat(bareOperator.get(ProtocolPaths.OPERATOR_AGENTS, backend.operatorToken()).status())
        .isEqualTo(403);
    assertThat(backend.operator().listAgents()).hasSize(1);
    assertThat(
            a.withCertificate()
                .get(ProtocolPaths.OPERATOR_AGENTS, backend.operatorToken())
                .status())
        .isEqualTo(403);
    ContractClient asOperator =
        new ContractClient(
            backend.baseUrl(),
            TlsTrust.context(
                backend.caCertificatePath(),
                backend.operatorCertificatePath(),
                backend.operatorKeyPath()));
    assertThat(
            asOperator
                .post(
                    ProtocolPaths.heartbeat("host-a"),
                    a.accessToken,
                    TestAgent.healthyHeartbeat(null))
                .status())
        .isEqualTo(403);
  }

  @Test
  void certificatesAreRenewedForTheBoundKeyAndRefusedOnceExpired() throws Exception {
    start(b -> b.agentCertificateLifetime(Duration.ofSeconds(10)));
    KeyedAgent a = registered("host-a", backend.createBootstrapToken(false, null));
    X509Certificate first = leaf(a.certificatePem);
    ClientCertificate renewed = a.renew(a.withCertificate());
    X509Certificate second = leaf(renewed.certificate());
    assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
    assertThat(second.getPublicKey()).isEqualTo(a.keys.getPublic());
    assertThat(renewed.expiresAt()).isAfter(Instant.now());

    ContractClient old = a.presenting(Pem.certificates(java.util.List.of(first)));
    assertThat(heartbeat(old, a)).isEqualTo(200);
    Thread.sleep(Duration.between(Instant.now(), first.getNotAfter().toInstant()).toMillis() + 200);
    assertThat(heartbeat(old, a))
        .as("a connection kept open past its certificate's end")
        .isEqualTo(403);
    assertThatThrownBy(() -> heartbeat(a.presenting(Pem.certificates(java.util.List.of(first))), a))
        .as("a new connection with the expired certificate fails its handshake")
        .isInstanceOf(java.io.UncheckedIOException.class);
    assertThat(a.registerWithProof(client).status())
        .as("the key recovers an agent whose certificate expired")
        .isEqualTo(200);
  }

  @Test
  void badKeysAndProofsAreRefusedClearly() throws Exception {
    start();
    KeyedAgent a = agent("host-a");
    String token = backend.createBootstrapToken(false, null);
    var request =
        TestAgent.identity("host-a", null)
            .withKey(2, java.util.Base64.getEncoder().encodeToString(new byte[91]), null);
    ContractClient.Answer badKey = client.post(ProtocolPaths.REGISTER, token, request);
    assertThat(badKey.status()).isEqualTo(400);
    assertThat(badKey.problem().detail()).contains("not an EC P-256 public key");
    assertThat(client.post(ProtocolPaths.REGISTER, null, a.request(null)).status())
        .as("a new id without a bootstrap token")
        .isEqualTo(401);
    assertThatThrownBy(() -> backend.operator().resetAgent("nobody"))
        .isInstanceOf(BackendApiException.class);
  }

  @Test
  void anOperatorsOwnCaIssuesTheAgentsCertificates() throws Exception {
    io.vmagent.backend.tls.DevCertificateAuthority own =
        io.vmagent.backend.tls.DevCertificateAuthority.loadOrCreate(dir.resolve("own-ca"));
    Path cert = dir.resolve("own-ca/ca.pem");
    Path key = dir.resolve("own-ca/ca-key.pem");
    start(b -> b.certificateAuthority(cert, key).clientAuth(ClientAuth.REQUIRED));
    KeyedAgent a = registered("host-a", backend.createBootstrapToken(false, null));
    X509Certificate issued = leaf(a.certificatePem);
    issued.verify(own.certificate().getPublicKey());
    assertThat(heartbeat(a.withCertificate(), a)).isEqualTo(200);
  }

  @Test
  void identityEndpointsRefuseHostileInputAndHoldLittle() throws Exception {
    start();
    String token = backend.createBootstrapToken(false, null);
    KeyedAgent a = registered("host-a", token);
    KeyedAgent b = registered("host-b", token);

    // Challenges: anyone may ask, but only a bound id gets rows, and at most four of them.
    assertThat(client.post(ProtocolPaths.challenge("nobody"), null, null).status()).isEqualTo(200);
    for (int i = 0; i < 20; i++) {
      client.post(ProtocolPaths.challenge("host-a"), null, null);
    }
    assertThat(challengeRows("nobody")).isZero();
    assertThat(challengeRows("host-a")).isEqualTo(4);
    assertThat(client.raw("POST", "/api/v1/agents/bad%0Aid/challenge", null, null, null).status())
        .isEqualTo(400);

    // Certificates: only for the caller's own, bound key.
    assertThat(client.post(ProtocolPaths.certificate("host-a"), b.accessToken, null).status())
        .isEqualTo(403);
    TestAgent legacy = new TestAgent(client, "host-old");
    legacy.register(token);
    ContractClient.Answer unbound =
        client.post(ProtocolPaths.certificate("host-old"), legacy.accessToken, null);
    assertThat(unbound.status()).isEqualTo(409);
    assertThat(unbound.problem().detail()).contains("no key is bound");

    // Operator calls with bad values change nothing.
    assertThat(
            client
                .raw(
                    "POST",
                    ProtocolPaths.operatorAgentRevoke("host-a") + "?keep_token=maybe",
                    backend.operatorToken(),
                    null,
                    null)
                .status())
        .isEqualTo(400);
    assertThat(backend.operator().showAgent("host-a").connectivity().wire())
        .isNotEqualTo("revoked");
    assertThat(
            client
                .raw(
                    "POST",
                    ProtocolPaths.OPERATOR_TOKENS,
                    backend.operatorToken(),
                    "application/json",
                    "{\"max_agents\":0}")
                .status())
        .isEqualTo(400);
    backend.operator().revokeAgent("host-b", true);
    assertThatThrownBy(() -> backend.operator().resetAgent("host-b"))
        .isInstanceOfSatisfying(
            BackendApiException.class, e -> assertThat(e.status()).isEqualTo(409));
    assertThat(
            a.withCertificate()
                .post(
                    ProtocolPaths.heartbeat("host-a"),
                    a.accessToken,
                    TestAgent.healthyHeartbeat(null))
                .status())
        .isEqualTo(200);
  }

  private long challengeRows(String agentId) throws Exception {
    try (var c = backend.dataSource().getConnection();
        var q = c.prepareStatement("SELECT COUNT(*) FROM identity_challenges WHERE agent_id = ?")) {
      q.setString(1, agentId);
      try (var rows = q.executeQuery()) {
        rows.next();
        return rows.getLong(1);
      }
    }
  }
}

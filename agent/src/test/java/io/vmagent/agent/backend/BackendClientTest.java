package io.vmagent.agent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.agent.backend.ScriptedHttpsServer.Reply;
import io.vmagent.agent.command.CommandJournal;
import io.vmagent.agent.command.ResultOutbox;
import io.vmagent.agent.config.Secret;
import io.vmagent.agent.retry.Backoff;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.agent.state.StateDir;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.testing.TestPki;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class BackendClientTest {
  private static final Backoff FAST =
      new Backoff(3, Duration.ofMillis(20), 2.0, Duration.ofMillis(100));
  private static TestPki pki;
  private static TestPki.Issued serverCert;
  private static Path caFile;

  @TempDir Path dir;
  private ScriptedHttpsServer server;
  private HttpTransport transport;

  @BeforeAll
  static void pki(@TempDir Path shared) throws Exception {
    pki = TestPki.create("test-ca");
    serverCert = pki.issue("backend", TestPki.ec());
    caFile = shared.resolve("ca.pem");
    TestPki.writeCertificates(caFile, pki.ca);
  }

  @AfterEach
  void close() {
    if (transport != null) {
      transport.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void registersOnceThenReusesKeptCredentialsAfterRestart() throws Exception {
    startServer(false);
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, tokens("agent-1", "access-1", "refresh-1", 3600)));
    server.on("/api/v1/agents/agent-1/heartbeat", r -> heartbeatOk());

    client(Backoff.of(1, 2.0)).heartbeat(heartbeat());
    BackendClient restarted = client(Backoff.of(1, 2.0));
    restarted.heartbeat(heartbeat());

    assertThat(server.count("/api/v1/agents/register")).isEqualTo(1);
    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(2);
    List<ScriptedHttpsServer.Seen> calls =
        server.seen.stream().filter(r -> !r.path().equals("/api/v1/health")).toList();
    assertThat(calls.get(0).authorization()).isEqualTo("Bearer vmb_bootstrap-secret");
    assertThat(calls.get(2).authorization()).isEqualTo("Bearer access-1");
    Path kept = dir.resolve("state").resolve(CredentialsStore.FILE_NAME);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kept)))
        .isEqualTo("rw-------");
  }

  @Test
  void rejectedAccessTokenTriggersOneRefreshAndOneRetry() throws Exception {
    startServer(false);
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, tokens("agent-1", "access-1", "refresh-1", 3600)));
    server.on(
        "/api/v1/auth/refresh", r -> Reply.json(200, tokens(null, "access-2", "refresh-2", 3600)));
    server.on(
        "/api/v1/agents/agent-1/heartbeat",
        r ->
            "Bearer access-2".equals(r.authorization())
                ? heartbeatOk()
                : problem(401, "UNAUTHORIZED"));

    client(FAST).heartbeat(heartbeat());

    assertThat(server.count("/api/v1/auth/refresh")).isEqualTo(1);
    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(2);
    assertThat(
            server.seen.stream()
                .filter(s -> s.path().equals("/api/v1/auth/refresh"))
                .findFirst()
                .orElseThrow()
                .body())
        .contains("refresh-1");
    assertThat(new CredentialsStore(dir.resolve("state")).load().orElseThrow().accessToken())
        .isEqualTo("access-2");
  }

  @Test
  void secondRejectionIsNotRetriedAgain() throws Exception {
    startServer(false);
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, tokens("agent-1", "access-1", "refresh-1", 3600)));
    server.on(
        "/api/v1/auth/refresh", r -> Reply.json(200, tokens(null, "access-2", "refresh-2", 3600)));
    server.on("/api/v1/agents/agent-1/heartbeat", r -> problem(401, "UNAUTHORIZED"));

    BackendClient client = client(FAST);

    assertThatExceptionOfType(BackendHttpException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .satisfies(e -> assertThat(e.status()).isEqualTo(401));
    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(2);
    assertThat(server.count("/api/v1/auth/refresh")).isEqualTo(1);
  }

  @Test
  void refusedRefreshTokenMakesTheAgentRegisterAgain() throws Exception {
    startServer(false);
    AtomicInteger registrations = new AtomicInteger();
    server.on(
        "/api/v1/agents/register",
        r ->
            Reply.json(
                200,
                tokens("agent-1", "access-" + registrations.incrementAndGet(), "refresh-x", 3600)));
    server.on("/api/v1/auth/refresh", r -> problem(401, "UNAUTHORIZED"));
    server.on(
        "/api/v1/agents/agent-1/heartbeat",
        r ->
            "Bearer access-2".equals(r.authorization())
                ? heartbeatOk()
                : problem(401, "UNAUTHORIZED"));

    client(FAST).heartbeat(heartbeat());

    assertThat(server.count("/api/v1/agents/register")).isEqualTo(2);
  }

  @Test
  void accessTokenIsRefreshedBeforeItExpires() throws Exception {
    startServer(false);
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, tokens("agent-1", "access-1", "refresh-1", 3)));
    server.on(
        "/api/v1/auth/refresh", r -> Reply.json(200, tokens(null, "access-2", "refresh-2", 3600)));
    server.on("/api/v1/agents/agent-1/heartbeat", r -> heartbeatOk());

    BackendClient client = client(FAST);
    client.heartbeat(heartbeat());
    client.heartbeat(heartbeat());

    assertThat(server.count("/api/v1/auth/refresh")).isEqualTo(1);
    assertThat(server.seen.get(server.seen.size() - 1).authorization())
        .isEqualTo("Bearer access-2");
  }

  @Test
  void aHostClockHoursOffRefreshesOnlyWhenTheLifetimeTheBackendGaveIsUsedUp() throws Exception {
    startServer(false);
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, timedTokens("agent-1", "access-1", "refresh-1", 600)));
    server.on(
        "/api/v1/auth/refresh",
        r -> Reply.json(200, timedTokens(null, "access-2", "refresh-2", 3)));
    server.on("/api/v1/agents/agent-1/heartbeat", r -> heartbeatOk());

    for (Duration skew : List.of(Duration.ofHours(3), Duration.ofHours(-3))) {
      Files.deleteIfExists(dir.resolve("state").resolve(CredentialsStore.FILE_NAME));
      server.seen.clear();
      transport =
          new HttpTransport(
              server.url(), TlsContexts.create(trustingCa()), Duration.ofSeconds(5), FAST);
      BackendClient client =
          new BackendClient(transport, session(transport, Clock.offset(Clock.systemUTC(), skew)));
      for (int i = 0; i < 5; i++) {
        client.heartbeat(heartbeat());
      }
      assertThat(server.count("/api/v1/auth/refresh"))
          .as("refreshes, clock off by " + skew)
          .isZero();
      assertThat(client.session().clockOffset().current().orElseThrow())
          .isBetween(skew.minusSeconds(2), skew.plusSeconds(2));
      transport.close();
      transport = null;
    }
  }

  @Test
  void serviceUnavailableIsRetriedUntilItSucceeds() throws Exception {
    startServer(false);
    registerOk();
    AtomicInteger calls = new AtomicInteger();
    server.on(
        "/api/v1/agents/agent-1/heartbeat",
        r -> calls.incrementAndGet() < 3 ? problem(503, "BACKEND_UNAVAILABLE") : heartbeatOk());

    client(FAST).heartbeat(heartbeat());

    assertThat(calls).hasValue(3);
  }

  @Test
  void retriesStopAfterTheConfiguredAttempts() throws Exception {
    startServer(false);
    registerOk();
    server.on("/api/v1/agents/agent-1/heartbeat", r -> problem(502, "BACKEND_UNAVAILABLE"));
    BackendClient client =
        client(new Backoff(2, Duration.ofMillis(10), 2.0, Duration.ofMillis(50)));

    assertThatExceptionOfType(BackendHttpException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .satisfies(e -> assertThat(e.status()).isEqualTo(502));
    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(2);
  }

  @Test
  void badRequestIsNotRetried() throws Exception {
    startServer(false);
    registerOk();
    server.on("/api/v1/agents/agent-1/heartbeat", r -> problem(400, "BAD_REQUEST"));
    BackendClient client = client(FAST);

    assertThatExceptionOfType(BackendHttpException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .withMessageContaining("BAD_REQUEST");
    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(1);
  }

  @Test
  void tooManyRequestsWaitsForRetryAfter() throws Exception {
    startServer(false);
    registerOk();
    AtomicInteger calls = new AtomicInteger();
    server.on(
        "/api/v1/agents/agent-1/heartbeat",
        r ->
            calls.incrementAndGet() == 1
                ? new Reply(429, "", Map.of("Retry-After", "1"))
                : heartbeatOk());
    BackendClient client = client(FAST);
    client.session().credentials();

    long start = System.nanoTime();
    client.heartbeat(heartbeat());

    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(calls).hasValue(2);
  }

  @Test
  void unreachableBackendIsRetriedThenReportedClearly() throws Exception {
    startServer(false);
    java.net.URI url = server.url();
    server.close();
    server = null;
    transport =
        new HttpTransport(url, TlsContexts.create(trustingCa()), Duration.ofSeconds(2), FAST);
    BackendClient client = new BackendClient(transport, session(transport));

    assertThatExceptionOfType(java.net.ConnectException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .withMessageContaining("cannot connect to " + url)
        .withMessageContaining("connection refused by 127.0.0.1:" + url.getPort())
        .withMessageNotContaining("ClosedChannelException");
  }

  @Test
  void unknownHostNameIsReportedAsNotFound() throws Exception {
    java.net.URI url = java.net.URI.create("https://no-such-host.invalid:8443");
    transport =
        new HttpTransport(url, TlsContexts.create(trustingCa()), Duration.ofSeconds(2), FAST);
    BackendClient client = new BackendClient(transport, session(transport));

    assertThatExceptionOfType(java.net.ConnectException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .withMessageContaining("host name not found: no-such-host.invalid")
        .withMessageNotContaining("UnresolvedAddressException");
  }

  @Test
  void refusedBootstrapTokenIsAClearRegistrationError() throws Exception {
    startServer(false);
    server.on("/api/v1/agents/register", r -> problem(401, "UNAUTHORIZED"));
    BackendClient client = client(FAST);

    assertThatExceptionOfType(RegistrationException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .withMessageContaining("check AGENT_TOKEN")
        .withMessageNotContaining("vmb_bootstrap-secret");
    assertThat(server.count("/api/v1/agents/register")).isEqualTo(1);
    assertThat(dir.resolve("state").resolve(CredentialsStore.FILE_NAME)).doesNotExist();
  }

  @Test
  void serverCertificateFromAnotherCaIsRefusedBeforeAnyRequest() throws Exception {
    TestPki other = TestPki.create("other-ca");
    server =
        new ScriptedHttpsServer(
            TestPki.serverContext(other.issue("impostor", TestPki.ec()), null), false);
    transport =
        new HttpTransport(
            server.url(), TlsContexts.create(trustingCa()), Duration.ofSeconds(5), FAST);
    BackendClient client = new BackendClient(transport, session(transport));

    assertThatExceptionOfType(SSLHandshakeException.class)
        .isThrownBy(() -> client.heartbeat(heartbeat()))
        .withMessageContaining("not trusted")
        .withMessageContaining("AGENT_SSL_CA_PATH");
    assertThat(server.seen).isEmpty();
  }

  @Test
  void aCaBundleReplacesTheSystemStoreSoACertificateFromASystemCaIsRefused() throws Exception {
    // The JVM's trust-store property stands in for the system store: no test can hold the key of
    // a CA the machine really trusts.
    TestPki publicCa = TestPki.create("public-ca");
    Path systemStore = dir.resolve("system-cacerts.p12");
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setCertificateEntry("public-ca", publicCa.ca);
    try (OutputStream out = Files.newOutputStream(systemStore)) {
      store.store(out, "changeit".toCharArray());
    }
    server =
        new ScriptedHttpsServer(
            TestPki.serverContext(publicCa.issue("impostor", TestPki.ec()), null), false);
    registerOk();
    server.on("/api/v1/agents/agent-1/heartbeat", r -> heartbeatOk());
    String storeBefore = System.getProperty("javax.net.ssl.trustStore");
    String passwordBefore = System.getProperty("javax.net.ssl.trustStorePassword");
    System.setProperty("javax.net.ssl.trustStore", systemStore.toString());
    System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
    try {
      TlsSettings systemOnly =
          new TlsSettings(true, Optional.empty(), Optional.empty(), Optional.empty());
      transport =
          new HttpTransport(
              server.url(), TlsContexts.create(systemOnly), Duration.ofSeconds(5), FAST);
      new BackendClient(transport, session(transport)).heartbeat(heartbeat());
      assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(1);
      int requestsBefore = server.seen.size();

      HttpTransport pinned =
          new HttpTransport(
              server.url(), TlsContexts.create(trustingCa()), Duration.ofSeconds(5), FAST);
      assertThatExceptionOfType(SSLHandshakeException.class)
          .isThrownBy(() -> new BackendClient(pinned, session(pinned)).heartbeat(heartbeat()))
          .withMessageContaining("not trusted");
      assertThat(server.seen).hasSize(requestsBefore);
      assertThat(TlsContexts.trustManager(caFile).getAcceptedIssuers()).containsExactly(pki.ca);
    } finally {
      restoreProperty("javax.net.ssl.trustStore", storeBefore);
      restoreProperty("javax.net.ssl.trustStorePassword", passwordBefore);
    }
  }

  private static void restoreProperty(String name, String value) {
    if (value == null) {
      System.clearProperty(name);
    } else {
      System.setProperty(name, value);
    }
  }

  @Test
  void verificationOffAcceptsAnUntrustedCertificate() throws Exception {
    TestPki other = TestPki.create("other-ca");
    server =
        new ScriptedHttpsServer(
            TestPki.serverContext(other.issue("self", TestPki.ec()), null), false);
    registerOk();
    server.on("/api/v1/agents/agent-1/heartbeat", r -> heartbeatOk());
    TlsSettings off = new TlsSettings(false, Optional.empty(), Optional.empty(), Optional.empty());
    transport =
        new HttpTransport(server.url(), TlsContexts.create(off), Duration.ofSeconds(5), FAST);

    new BackendClient(transport, session(transport)).heartbeat(heartbeat());

    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(1);
  }

  @Test
  void mutualTlsWorksWithRsaAndEcKeysInEveryPemForm() throws Exception {
    startServer(true);
    registerOk();
    server.on("/api/v1/agents/agent-1/heartbeat", r -> heartbeatOk());
    record Form(String name, boolean rsa, boolean pkcs8) {}
    for (Form form :
        List.of(
            new Form("rsa-pkcs1", true, false),
            new Form("rsa-pkcs8", true, true),
            new Form("ec-sec1", false, false),
            new Form("ec-pkcs8", false, true))) {
      TestPki.Issued client =
          pki.issue("agent-" + form.name(), form.rsa() ? TestPki.rsa() : TestPki.ec());
      Path cert = dir.resolve(form.name() + ".crt");
      Path key = dir.resolve(form.name() + ".key");
      TestPki.writeCertificates(cert, client.certificate());
      if (form.pkcs8()) {
        TestPki.writePkcs8Key(key, client.keys().getPrivate());
      } else {
        TestPki.writeTraditionalKey(key, client.keys());
      }
      String header = Files.readAllLines(key).get(0);
      assertThat(header)
          .isEqualTo(
              form.pkcs8()
                  ? "-----BEGIN PRIVATE KEY-----"
                  : form.rsa()
                      ? "-----BEGIN RSA PRIVATE KEY-----"
                      : "-----BEGIN EC PRIVATE KEY-----");
      TlsSettings mutual =
          new TlsSettings(true, Optional.of(caFile), Optional.of(cert), Optional.of(key));
      try (HttpTransport t =
          new HttpTransport(
              server.url(), TlsContexts.create(mutual), Duration.ofSeconds(5), FAST)) {
        new BackendClient(t, session(t)).heartbeat(heartbeat());
      }
    }
    assertThat(server.count("/api/v1/agents/agent-1/heartbeat")).isEqualTo(4);
  }

  @Test
  void mutualTlsServerRefusesAnAgentWithoutItsCertificate() throws Exception {
    startServer(true);
    registerOk();
    transport =
        new HttpTransport(
            server.url(), TlsContexts.create(trustingCa()), Duration.ofSeconds(5), FAST);
    BackendClient client = new BackendClient(transport, session(transport));

    assertThatExceptionOfType(IOException.class).isThrownBy(() -> client.heartbeat(heartbeat()));
    assertThat(server.seen).isEmpty();
  }

  @Test
  void encryptedOrMissingKeysAreReportedByFileName() throws Exception {
    Path notAKey = dir.resolve("not-a-key.pem");
    TestPki.writeCertificates(notAKey, pki.ca);

    assertThatExceptionOfType(IOException.class)
        .isThrownBy(() -> PemFiles.privateKey(notAKey))
        .withMessageContaining(notAKey.toString())
        .withMessageContaining("holds no private key");
  }

  @Test
  void aKeyFromAnotherPairIsRefusedBeforeAnyConnectionNamingBothFiles() throws Exception {
    for (boolean rsa : List.of(true, false)) {
      TestPki.Issued client = pki.issue("agent", rsa ? TestPki.rsa() : TestPki.ec());
      Path cert = dir.resolve("agent-" + rsa + ".crt");
      Path otherKey = dir.resolve("other-" + rsa + ".key");
      TestPki.writeCertificates(cert, client.certificate());
      TestPki.writePkcs8Key(otherKey, (rsa ? TestPki.rsa() : TestPki.ec()).getPrivate());
      TlsSettings mismatched =
          new TlsSettings(true, Optional.of(caFile), Optional.of(cert), Optional.of(otherKey));

      assertThatExceptionOfType(IOException.class)
          .isThrownBy(() -> TlsContexts.create(mismatched))
          .withMessageContaining(otherKey + " is not the key of the certificate in " + cert);
    }
  }

  private void startServer(boolean mutual) throws Exception {
    server =
        new ScriptedHttpsServer(TestPki.serverContext(serverCert, mutual ? pki.ca : null), mutual);
  }

  private void registerOk() {
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, tokens("agent-1", "access-1", "refresh-1", 3600)));
  }

  private BackendClient client(Backoff backoff) throws IOException {
    if (transport != null) {
      transport.close();
    }
    transport =
        new HttpTransport(
            server.url(), TlsContexts.create(trustingCa()), Duration.ofSeconds(5), backoff);
    return new BackendClient(transport, session(transport));
  }

  private Session session(HttpTransport t) {
    return session(t, Clock.systemUTC());
  }

  private Session session(HttpTransport t, Clock clock) {
    return new Session(
        t,
        new CredentialsStore(dir.resolve("state")),
        Optional.of(Secret.of("vmb_bootstrap-secret")),
        true,
        () ->
            new RegisterRequest(
                "agent-1", "test", "host", "1.0", "test:///default", null, List.of("list"), 30),
        enrollment(t),
        clock);
  }

  private Enrollment enrollment(HttpTransport t) {
    try {
      return new Enrollment(dir.resolve("state"), trustingCa(), t, Clock.systemUTC());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static TlsSettings trustingCa() {
    return new TlsSettings(true, Optional.of(caFile), Optional.empty(), Optional.empty());
  }

  @Test
  void resultRefusedWithConflictIsDroppedFromTheSpoolOnceWithAWarningAndKeptInTheJournal()
      throws Exception {
    startServer(false);
    server.on(
        "/api/v1/agents/register",
        r -> Reply.json(200, tokens("agent-1", "access-1", "refresh-1", 3600)));
    server.on(
        "/api/v1/agents/agent-1/results",
        r ->
            Reply.json(
                409,
                "{\"type\":\"urn:vmagent:error:CONFLICT\",\"title\":\"x\","
                    + "\"status\":409,\"code\":\"CONFLICT\","
                    + "\"detail\":\"command expired before a result came\"}"));
    String commandId = "00000000-0000-4000-8000-000000000009";
    CommandJournal journal = new CommandJournal(new StateDir(dir.resolve("agent-state")));
    CommandResult result =
        CommandResult.succeeded(commandId, null, Instant.now().minusSeconds(1), Instant.now());
    journal.started(commandId, "start", result.startedAt());
    journal.finished(commandId, "start", result.startedAt(), result);
    ListAppender<ILoggingEvent> log = new ListAppender<>();
    log.start();
    Logger deliveries = (Logger) LoggerFactory.getLogger(ResultOutbox.class);
    deliveries.addAppender(log);
    try (DurableQueue spool = new DurableQueue("results", dir.resolve("spool"), 1 << 20, 0)) {
      ResultOutbox outbox = new ResultOutbox(journal, spool, client(FAST)::submitResult, null);
      outbox.accept(result);

      assertThat(outbox.spool().flush(System.nanoTime() + Duration.ofSeconds(10).toNanos()))
          .isTrue();
      assertThat(spool.depth()).isZero();
    } finally {
      deliveries.detachAppender(log);
    }

    assertThat(server.count("/api/v1/agents/agent-1/results")).as("not retried").isEqualTo(1);
    assertThat(journal.find(commandId))
        .hasValueSatisfying(
            entry -> {
              assertThat(entry.result()).isEqualTo(result);
              assertThat(entry.delivered()).isTrue();
            });
    assertThat(log.list)
        .singleElement()
        .satisfies(
            event -> {
              assertThat(event.getLevel()).isEqualTo(Level.WARN);
              assertThat(event.getFormattedMessage()).contains(commandId).contains("CONFLICT");
            });
  }

  private static HeartbeatRequest heartbeat() {
    return new HeartbeatRequest(
        HealthStatus.HEALTHY,
        List.of(),
        1,
        new AgentVersions("1.0", null, null, null, null),
        new LibvirtHealth(true, "test:///default", null, 1L),
        0,
        true,
        List.of(),
        null,
        30,
        null);
  }

  private static Reply heartbeatOk() {
    return Reply.json(200, "{\"server_time\":\"" + Instant.now() + "\",\"commands_pending\":0}");
  }

  private static Reply problem(int status, String code) {
    return Reply.json(
        status,
        "{\"type\":\"urn:vmagent:error:"
            + code
            + "\",\"title\":\"t\",\"status\":"
            + status
            + ",\"code\":\""
            + code
            + "\"}");
  }

  /** A protocol-3 answer: the backend's clock and the access token's lifetime in seconds. */
  private static String timedTokens(String agentId, String access, String refresh, long seconds) {
    String pair = tokens(agentId, access, refresh, seconds);
    return pair.substring(0, pair.length() - 1)
        + ",\"server_time\":\""
        + Instant.now()
        + "\",\"expires_in\":"
        + seconds
        + "}";
  }

  private static String tokens(String agentId, String access, String refresh, long seconds) {
    Instant now = Instant.now();
    return "{"
        + (agentId == null ? "" : "\"agent_id\":\"" + agentId + "\",")
        + "\"access_token\":\""
        + access
        + "\",\"access_token_expires_at\":\""
        + now.plusSeconds(seconds)
        + "\",\"refresh_token\":\""
        + refresh
        + "\",\"refresh_token_expires_at\":\""
        + now.plusSeconds(86400)
        + "\"}";
  }
}

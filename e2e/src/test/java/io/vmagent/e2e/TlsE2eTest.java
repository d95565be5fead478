package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.CommandState;
import io.vmagent.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** TLS and mutual TLS between the agent and the real backend: what works and what is refused. */
class TlsE2eTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private Agent agent;
  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

  @BeforeEach
  void captureLogs() {
    logs.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
  }

  @AfterEach
  void stop() throws Exception {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
    if (agent != null) {
      agent.shutdown();
    }
    E2e.close(backend);
  }

  @Test
  void mutualTlsWithACertificateFromTheBackendsCaRegistersAndRunsCommands() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    Map<String, String> settings = settings();
    Path cert = dir.resolve("agent.crt");
    Path key = dir.resolve("agent.key");
    backend.issueClientCertificate("e2e-agent", cert, key);
    settings.put("AGENT_SSL_CERT_PATH", cert.toString());
    settings.put("AGENT_SSL_KEY_PATH", key.toString());
    // The certificate names its agent: the backend holds the agent to it.
    settings.put("AGENT_ID", "e2e-agent");
    agent = start(settings);
    String agentId = "e2e-agent";

    await().atMost(Duration.ofSeconds(30)).until(() -> E2e.heartbeatSeen(backend, agentId));
    String id = backend.queueCommand(agentId, "list", Map.of()).id();
    assertThat(backend.awaitCommand(id, Duration.ofSeconds(20)).state())
        .isEqualTo(CommandState.SUCCEEDED);
  }

  @Test
  void backendCertificateFromAnUnknownCaIsRefusedWithAClearLogLine() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    Map<String, String> settings = settings();
    TestPki other = TestPki.create("not-the-backends-ca");
    Path wrongCa = dir.resolve("wrong-ca.pem");
    TestPki.writeCertificates(wrongCa, other.ca);
    settings.put("AGENT_SSL_CA_PATH", wrongCa.toString());
    agent = start(settings);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> messages().stream().anyMatch(m -> m.contains("certificate is not trusted")));
    assertThat(messages()).anyMatch(m -> m.contains("AGENT_SSL_CA_PATH"));
    assertThat(E2e.registeredAgents(backend)).isZero();
  }

  @Test
  void agentWithoutAnAcceptedClientCertificateIsRefusedAndRunsNothing() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    Map<String, String> settings = settings();
    TestPki other = TestPki.create("rogue-ca");
    TestPki.Issued rogue = other.issue("rogue-agent", TestPki.ec());
    Path cert = dir.resolve("rogue.crt");
    Path key = dir.resolve("rogue.key");
    TestPki.writeCertificates(cert, rogue.certificate());
    TestPki.writePkcs8Key(key, rogue.keys().getPrivate());
    settings.put("AGENT_SSL_CERT_PATH", cert.toString());
    settings.put("AGENT_SSL_KEY_PATH", key.toString());
    agent = start(settings);

    // The handshake only asks for a certificate and lists the CAs it takes, so the JDK does not
    // send one they did not issue; every agent endpoint then refuses the agent, saying why.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> messages().stream().anyMatch(m -> m.contains("none was presented")));
    System.out.println(
        "FIGURE refused client certificate, agent log: "
            + messages().stream()
                .filter(m -> m.contains("none was presented"))
                .findFirst()
                .orElse(""));
    String agentId = E2e.agentId(dir.resolve("agent"));
    assertThat(E2e.heartbeatSeen(backend, agentId)).isFalse();
    assertThat(messages()).noneMatch(m -> m.contains(") started"));
  }

  private Map<String, String> settings() throws Exception {
    return E2e.agentSettings(
        backend,
        dir.resolve("agent"),
        backend.createBootstrapToken(false, null),
        E2e.libvirtHost(dir));
  }

  private static Agent start(Map<String, String> settings) throws Exception {
    Agent started = new Agent(E2e.config(settings));
    started.start();
    return started;
  }

  private List<String> messages() {
    return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}

package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.agent.spool.Spool;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.protocol.Connectivity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend comes back with a certificate from a CA the agent does not trust (a swapped or
 * intercepted endpoint): the agent must refuse the handshake, send nothing (no heartbeat, metric or
 * event reaches the database), say why in its log, keep its data, and deliver it once the right
 * certificate is back. An agent configured with the wrong CA from the start is covered by e2e's
 * TlsE2eTest.backendCertificateFromAnUnknownCaIsRefusedWithAClearLogLine; this swap in the middle
 * of a run is in the long profile.
 */
@Tag("faults-long")
class ReplacedCertificateFaultTest {
  @TempDir Path dir;
  RunningBackend backend;
  Agent agent;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    Harness.stop(backend);
  }

  @Test
  void aCertificateFromAnUnknownCaIsRefusedAndNothingIsSentUntilTheRightOneIsBack()
      throws Exception {
    Path data = dir.resolve("backend");
    int port = Harness.freePort();
    backend = Harness.backend(data, port, b -> b);
    Map<String, String> settings =
        Harness.agentSettings(
            Harness.localUrl(port),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "cert-swap",
            backend.createBootstrapToken(false, null),
            Libvirt.HOST);
    try (LogCapture loops = new LogCapture(Spool.class)) {
      agent = new Agent(Harness.config(settings));
      agent.start();
      String id = Harness.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(60)).until(() -> online(id));

      Harness.stop(backend);
      DevCertificateAuthority stranger =
          DevCertificateAuthority.loadOrCreate(dir.resolve("stranger-ca"));
      stranger
          .issueServer("vm-backend", Set.of("127.0.0.1", "localhost"))
          .write(dir.resolve("cert.pem"), dir.resolve("key.pem"));
      backend =
          Harness.backend(
              data, port, b -> b.tlsCertificate(dir.resolve("cert.pem"), dir.resolve("key.pem")));
      String before = snapshot(id);
      Libvirt.toggle(2);
      Thread.sleep(12_000); // two heartbeat and metrics intervals
      String during = snapshot(id);
      assertThat(during)
          .as("nothing reached the backend behind the foreign certificate")
          .isEqualTo(before);
      String complaint =
          loops.lines().stream().filter(l -> l.contains("not trusted")).findFirst().orElse(null);
      assertThat(complaint).as("a log line saying the certificate is not trusted").isNotNull();

      Harness.stop(backend);
      backend = Harness.backend(data, port, b -> b);
      await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> count(id, "vm_events") >= eventsIn(before) + 4);
      await().atMost(Duration.ofSeconds(30)).until(() -> online(id));
      Figures.record(
          "TLS certificate from an unknown CA",
          "12 s behind a server certificate from a foreign CA: 0 heartbeats, 0 metrics samples, 0"
              + " events reached the backend (database unchanged); log: \""
              + complaint
              + "\"; the 4"
              + " lifecycle events of that time delivered once the right certificate was back");
    }
  }

  private String snapshot(String id) throws Exception {
    return "lastHeartbeat="
        + text(
            "SELECT CAST(last_heartbeat_at AS VARCHAR) FROM agents WHERE agent_id = '" + id + "'")
        + ";metrics="
        + count(id, "metrics_samples")
        + ";events="
        + count(id, "vm_events");
  }

  private static long eventsIn(String snapshot) {
    return Long.parseLong(snapshot.replaceAll(".*events=", ""));
  }

  private long count(String id, String table) throws Exception {
    return DbFingerprint.count(
        backend.dataSource(), "SELECT COUNT(*) FROM " + table + " WHERE agent_id = '" + id + "'");
  }

  private String text(String sql) throws Exception {
    try (var c = backend.dataSource().getConnection();
        var s = c.createStatement();
        var r = s.executeQuery(sql)) {
      r.next();
      return r.getString(1);
    }
  }

  private boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ProtocolPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every operator command against a backend that requires client certificates: through the data
 * directory (its operator certificate is found there) and through a URL with a certificate issued
 * by {@code cert issue}.
 */
class RequiredClientAuthCliTest extends CliAgainstBackend {
  @Override
  VmBackend.Builder configure(VmBackend.Builder builder) {
    return builder.clientAuth(ClientAuth.REQUIRED);
  }

  @Test
  void everyOperatorCommandWorksThroughTheDataDirectory() throws Exception {
    assertThat(cli("token", "create", "--data-dir", data(), "--max-agents", "1")).as(err).isZero();
    String token = out.trim();
    KeyedAgent agent =
        new KeyedAgent("host-a", backend.baseUrl(), backend.caCertificatePath(), dir);
    assertThat(agent.register(client, token).status()).isEqualTo(200);
    ContractClient asAgent = agent.withCertificate();
    asAgent.post(
        ProtocolPaths.heartbeat("host-a"), agent.accessToken, TestAgent.healthyHeartbeat(null));

    assertThat(cli("token", "list", "--data-dir", data())).as(err).isZero();
    assertThat(cli("agents", "list", "--data-dir", data())).as(err).isZero();
    assertThat(out).contains("host-a").contains("online").contains("KEY");
    String fingerprint = backend.operator().showAgent("host-a").keyFingerprint();
    assertThat(out).contains(fingerprint.substring(0, 11));
    assertThat(cli("agents", "show", "host-a", "--data-dir", data())).as(err).isZero();
    assertThat(out).contains("\"key_fingerprint\"");
    assertThat(cli("vms", "list", "--data-dir", data())).as(err).isZero();

    CompletableFuture<Void> agentLoop =
        CompletableFuture.runAsync(
            () -> {
              CommandBatch batch =
                  asAgent
                      .get(ProtocolPaths.commands("host-a", 15), agent.accessToken)
                      .as(CommandBatch.class);
              Instant now = Instant.now();
              asAgent.post(
                  ProtocolPaths.results("host-a"),
                  agent.accessToken,
                  CommandResult.succeeded(
                      batch.commands().get(0).id(),
                      com.fasterxml.jackson.databind.node.JsonNodeFactory.instance
                          .objectNode()
                          .put("state", "running"),
                      now.minusMillis(5),
                      now));
            });
    assertThat(
            cli(
                "op",
                "start",
                "web-1",
                "--agent",
                "host-a",
                "--wait",
                "--timeout",
                "20s",
                "--data-dir",
                data()))
        .as(err)
        .isZero();
    agentLoop.get(10, TimeUnit.SECONDS);

    assertThat(cli("agents", "reset", "host-a", "--data-dir", data())).as(err).isZero();
    assertThat(out).contains("released");
    assertThat(cli("agents", "list", "--data-dir", data())).isZero();
    assertThat(out).containsPattern("host-a .* released");
    assertThat(cli("agents", "revoke", "host-a", "--data-dir", data())).as(err).isZero();
    assertThat(cli("token", "list", "--data-dir", data(), "--json")).isZero();
    String id = out.replaceAll("(?s).*\"id\" : \"([^\"]+)\".*", "$1");
    assertThat(out).contains("\"revoked\" : true");
    assertThat(cli("token", "revoke", id, "--data-dir", data())).as(err).isZero();
  }

  @Test
  void aUrlNeedsAnOperatorCertificateWhichCertIssueMakes() throws Exception {
    Path tokenFile = dir.resolve("operator-token");
    Files.writeString(tokenFile, backend.operatorToken());
    String[] base = {
      "agents", "list",
      "--url", backend.baseUrl().toString(),
      "--ca", backend.caCertificatePath().toString(),
      "--operator-token-file", tokenFile.toString()
    };
    assertThat(cli(base)).isEqualTo(3);
    assertThat(err).contains("403").contains("--client-cert");

    Path cert = dir.resolve("alice.pem");
    Path key = dir.resolve("alice-key.pem");
    assertThat(cli(certIssue("alice", cert.toString(), key.toString()))).as(err).isZero();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    String[] withCert =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base),
                java.util.stream.Stream.of(
                    "--client-cert", cert.toString(), "--client-key", key.toString()))
            .toArray(String[]::new);
    assertThat(cli(withCert)).as(err).isZero();
    assertThat(out).startsWith("ID");

    assertThat(cli(certIssue("alice", cert.toString(), key.toString())))
        .as("an existing file is never overwritten")
        .isEqualTo(2);
    assertThat(
            cli(
                certIssue(
                    "bad\u001bname",
                    dir.resolve("x.pem").toString(),
                    dir.resolve("x-key.pem").toString())))
        .isEqualTo(2);
    assertThat(err).doesNotContain("\u001b").contains("bad\\ename");
    String[] certOnly =
        java.util.stream.Stream.concat(
                java.util.Arrays.stream(base),
                java.util.stream.Stream.of("--client-cert", cert.toString()))
            .toArray(String[]::new);
    assertThat(cli(certOnly)).as("a certificate without its key").isEqualTo(3);
    assertThat(err).contains("needs its key");
  }

  private String[] certIssue(String operator, String certFile, String keyFile) {
    return new String[] {
      "cert",
      "issue",
      "--operator",
      operator,
      "--data-dir",
      data(),
      "--out-cert",
      certFile,
      "--out-key",
      keyFile
    };
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client-certificate verification in its three modes, over real TLS handshakes. */
class MutualTlsTest {
  @TempDir Path dir;

  private RunningBackend start(ClientAuth mode) throws Exception {
    return VmBackend.builder()
        .dataDir(dir.resolve("data"))
        .listen("127.0.0.1", 0)
        .clientAuth(mode)
        .build()
        .start();
  }

  private static int health(RunningBackend backend, Path cert, Path key) throws IOException {
    ContractClient client =
        new ContractClient(
            backend.baseUrl(), TlsTrust.context(backend.caCertificatePath(), cert, key));
    int status = client.get(ProtocolPaths.HEALTH, null).status();
    assertThat(client.violations()).isEmpty();
    return status;
  }

  @Test
  void requiredModeOnlyAsksInTheHandshakeSoHealthStaysReachable() throws Exception {
    // Enforced per route (IdentityTests): a client must reach registration before it has one.
    try (RunningBackend backend = start(ClientAuth.REQUIRED)) {
      assertThat(health(backend, null, null)).isEqualTo(200);

      Path cert = dir.resolve("agent.pem");
      Path key = dir.resolve("agent-key.pem");
      backend.issueClientCertificate("host-a", cert, key);
      assertThat(health(backend, cert, key)).isEqualTo(200);
    }
  }

  @Test
  void optionalModeAcceptsNoCertificateButRefusesOneFromAnotherCa() throws Exception {
    try (RunningBackend backend = start(ClientAuth.OPTIONAL)) {
      assertThat(health(backend, null, null)).isEqualTo(200);

      Path cert = dir.resolve("stranger.pem");
      Path key = dir.resolve("stranger-key.pem");
      DevCertificateAuthority.loadOrCreate(dir.resolve("other-ca"))
          .issueClient("stranger")
          .write(cert, key);
      assertThatThrownBy(() -> health(backend, cert, key)).isInstanceOf(UncheckedIOException.class);
    }
  }

  @Test
  void offModeDoesNotAskForACertificate() throws Exception {
    try (RunningBackend backend = start(ClientAuth.OFF)) {
      assertThat(health(backend, null, null)).isEqualTo(200);
    }
  }

  @Test
  void serverCertificateChainsToTheWrittenCaAndKeysAreOwnerOnly() throws Exception {
    try (RunningBackend backend = start(ClientAuth.OFF)) {
      assertThat(backend.caCertificatePath()).isEqualTo(dir.resolve("data/tls/ca.pem"));
      assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("data/tls/ca-key.pem")))
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
      assertThat(
              java.nio.file.Files.getPosixFilePermissions(dir.resolve("data/keys/jwt-signing.jwk")))
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
      assertThat(java.nio.file.Files.getPosixFilePermissions(dir.resolve("data/operator.token")))
          .extracting(Object::toString)
          .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
    }
  }
}

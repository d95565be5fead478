package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.protocol.BootstrapTokenCheck;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolPaths;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/agents/bootstrap-token} says whether a registration could use a bootstrap
 * token without using it up, refuses a bad one as register does and is limited like it; and
 * register tells a revoked agent from a refused token by the problem's code.
 */
class BootstrapTokenCheckTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private ContractClient client;

  @BeforeEach
  void start() throws Exception {
    backend =
        VmBackend.builder().dataDir(dir.resolve("data")).listen("127.0.0.1", 0).build().start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
  }

  @Test
  void checkingASingleUseTokenDoesNotUseItUp() {
    String token = backend.createBootstrapToken(true, Duration.ofHours(1));
    for (int i = 0; i < 3; i++) {
      BootstrapTokenCheck check =
          client.get(ProtocolPaths.BOOTSTRAP_TOKEN_CHECK, token).as(BootstrapTokenCheck.class);
      assertThat(check.singleUse()).isTrue();
      assertThat(check.expiresAt()).isNotNull();
      assertThat(check.agentsLeft()).isNull();
    }

    new TestAgent(client, "host-a").register(token);

    ContractClient.Answer used = client.get(ProtocolPaths.BOOTSTRAP_TOKEN_CHECK, token);
    assertThat(used.status()).isEqualTo(401);
    assertThat(used.problem().detail()).contains("already used");
    assertThat(client.violations()).isEmpty();
  }

  @Test
  void unknownAndMissingTokensAre401AndTheAnswerHoldsNoSecret() {
    ContractClient.Answer unknown =
        client.get(ProtocolPaths.BOOTSTRAP_TOKEN_CHECK, "vmb_mistyped-token");
    assertThat(unknown.status()).isEqualTo(401);
    assertThat(unknown.problem().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(unknown.problem().detail()).isEqualTo("unknown bootstrap token");
    assertThat(unknown.body()).doesNotContain("vmb_");

    ContractClient.Answer missing = client.get(ProtocolPaths.BOOTSTRAP_TOKEN_CHECK, null);
    assertThat(missing.status()).isEqualTo(401);
  }

  @Test
  void floodingWrongTokensIs429AndNamesNoToken() {
    RawHttps attacker = new RawHttps(backend.baseUrl(), backend.caCertificatePath(), "127.0.0.2");
    List<Integer> statuses = new ArrayList<>();
    RawHttps.Answer limited = null;
    for (int i = 0; i < 60; i++) {
      RawHttps.Answer answer =
          attacker.send("GET", ProtocolPaths.BOOTSTRAP_TOKEN_CHECK, "vmb_guess-" + i, null);
      statuses.add(answer.status());
      limited = answer.status() == 429 ? answer : limited;
    }
    // The burst of failed authentications from one address, then (a failure's worth refills now
    // and then) refused before the token is looked at.
    assertThat(statuses.subList(0, 30)).containsOnly(401);
    assertThat(statuses.subList(30, 60)).containsOnly(401, 429);
    assertThat(statuses.stream().filter(s -> s == 429).count()).isGreaterThan(20);
    assertThat(limited.headers().get("retry-after")).matches("[1-9][0-9]*");
    assertThat(limited.body()).contains("RATE_LIMITED").doesNotContain("vmb_");
  }

  @Test
  void aRevokedAgentAndAMistypedTokenGetDifferentCodes() throws Exception {
    String token = backend.createBootstrapToken(false, null);
    new TestAgent(client, "host-r").register(token);
    backend.operator().revokeAgent("host-r", true);

    ContractClient.Answer revoked =
        client.post(ProtocolPaths.REGISTER, token, TestAgent.identity("host-r", null));
    assertThat(revoked.status()).isEqualTo(403);
    assertThat(revoked.problem().code()).isEqualTo(ErrorCode.AGENT_REVOKED);

    ContractClient.Answer mistyped =
        client.post(ProtocolPaths.REGISTER, "vmb_mistyped", TestAgent.identity("host-s", null));
    assertThat(mistyped.status()).isEqualTo(401);
    assertThat(mistyped.problem().code()).isEqualTo(ErrorCode.UNAUTHORIZED);
    assertThat(client.violations()).isEmpty();
  }
}

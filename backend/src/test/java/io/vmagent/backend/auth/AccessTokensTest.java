package io.vmagent.backend.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessTokensTest {
  /** A clock the test moves. */
  private static final class SteppedClock extends Clock {
    private volatile Instant now = Instant.parse("2026-12-06T12:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @TempDir Path dataDir;

  private final SteppedClock clock = new SteppedClock();
  private final AtomicInteger keyLookups = new AtomicInteger();

  private AccessTokens tokens(SigningKey key) {
    return new AccessTokens(
        key,
        kid -> {
          keyLookups.incrementAndGet();
          return kid.equals(key.keyId()) ? Optional.of(key.publicJwkJson()) : Optional.empty();
        },
        Duration.ofMinutes(10),
        clock);
  }

  @Test
  void aTokenThatVerifiedOnceStaysValidOnlyUntilItExpires() throws Exception {
    AccessTokens tokens = tokens(SigningKey.loadOrCreate(dataDir));
    String token = tokens.issue("host-a", "family-1").token();

    assertThat(tokens.verify(token)).isEqualTo(new AgentPrincipal("host-a", "family-1"));
    clock.advance(Duration.ofMinutes(9));
    assertThat(tokens.verify(token).agentId()).isEqualTo("host-a");

    clock.advance(Duration.ofMinutes(1));
    assertThatThrownBy(() -> tokens.verify(token))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("expired");
    assertThatThrownBy(() -> tokens.verify(token))
        .as("an expired token stays refused once it has left the verified tokens")
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("expired");
  }

  @Test
  void aTokenThatDiffersInOneCharacterFromAVerifiedOneIsVerifiedAfreshAndRefused()
      throws Exception {
    AccessTokens tokens = tokens(SigningKey.loadOrCreate(dataDir));
    String token = tokens.issue("host-a", "family-1").token();
    tokens.verify(token);

    String tampered =
        token.substring(0, token.length() - 2)
            + (token.charAt(token.length() - 2) == 'A' ? 'B' : 'A')
            + token.charAt(token.length() - 1);
    assertThatThrownBy(() -> tokens.verify(tampered)).isInstanceOf(InvalidTokenException.class);
    assertThat(tokens.verify(token).agentId()).isEqualTo("host-a");
  }

  @Test
  void aTokenSignedByAnotherBackendsKeyIsRefusedEvenAfterAValidOne(@TempDir Path otherDir)
      throws Exception {
    AccessTokens tokens = tokens(SigningKey.loadOrCreate(dataDir));
    AccessTokens other = tokens(SigningKey.loadOrCreate(otherDir));
    tokens.verify(tokens.issue("host-a", "family-1").token());

    String foreign = other.issue("host-a", "family-1").token();
    assertThatThrownBy(() -> tokens.verify(foreign))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("unknown");
  }

  @Test
  void aTokenThisInstanceIssuedIsTakenWithoutVerifyingItsSignatureAndAnotherInstancesIsVerified()
      throws Exception {
    SigningKey key = SigningKey.loadOrCreate(dataDir);
    AccessTokens tokens = tokens(key);
    AccessTokens otherInstance = tokens(key);

    String own = tokens.issue("host-a", "family-1").token();
    assertThat(tokens.verify(own)).isEqualTo(new AgentPrincipal("host-a", "family-1"));
    assertThat(keyLookups).as("no public key was needed for its own token").hasValue(0);

    String issuedElsewhere = otherInstance.issue("host-b", "family-2").token();
    assertThat(tokens.verify(issuedElsewhere)).isEqualTo(new AgentPrincipal("host-b", "family-2"));
    assertThat(keyLookups).as("a token another instance signed is verified").hasValue(1);

    clock.advance(Duration.ofMinutes(10));
    assertThatThrownBy(() -> tokens.verify(own))
        .isInstanceOf(InvalidTokenException.class)
        .hasMessageContaining("expired");
  }
}

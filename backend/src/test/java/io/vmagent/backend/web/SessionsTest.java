package io.vmagent.backend.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.backend.service.ApiException;
import io.vmagent.protocol.ErrorCode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SessionsTest {
  private Instant now = Instant.parse("2026-12-06T10:00:00Z");
  // Time moves only when the test says so: the expiries are decided by this clock alone.
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };
  private final Sessions sessions = new Sessions(clock);

  @Test
  void aSessionEndsAfterItsIdleTimeUnused() {
    Sessions.Created created = sessions.create();
    now = now.plus(Sessions.IDLE).minusSeconds(1);
    assertThat(sessions.find(created.cookieValue())).isPresent();
    now = now.plus(Sessions.IDLE).minusSeconds(1);
    assertThat(sessions.find(created.cookieValue())).isPresent();

    now = now.plus(Sessions.IDLE);

    assertThat(sessions.find(created.cookieValue())).isEmpty();
  }

  @Test
  void aSessionInUseStillEndsAtItsAbsoluteExpiry() {
    Sessions.Created created = sessions.create();
    Instant end = now.plus(Sessions.ABSOLUTE);
    while (now.plus(Duration.ofMinutes(10)).isBefore(end)) {
      now = now.plus(Duration.ofMinutes(10));
      assertThat(sessions.find(created.cookieValue())).isPresent();
    }

    now = end;

    assertThat(sessions.find(created.cookieValue())).isEmpty();
  }

  @Test
  void logoutEndsTheSessionAndTheOldestGoesPastTheBound() {
    Sessions.Created first = sessions.create();
    Sessions.Created second = sessions.create();
    sessions.end(second.cookieValue());
    for (int i = 0; i < Sessions.MAX_SESSIONS; i++) {
      sessions.create();
    }

    assertThat(sessions.find(second.cookieValue())).isEmpty();
    assertThat(sessions.find(first.cookieValue())).isEmpty();
    assertThat(sessions.size()).isEqualTo(Sessions.MAX_SESSIONS);
  }

  @Test
  void onlyReadsGoWithoutTheCsrfToken() {
    Sessions.Created created = sessions.create();
    String cookie = created.cookieValue();

    assertThat(sessions.admits(null, "POST", null)).isFalse();
    assertThat(sessions.admits(cookie, "GET", null)).isTrue();
    assertThat(sessions.admits(cookie, "POST", created.session().csrfToken())).isTrue();
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(() -> sessions.admits(cookie, "POST", null))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN))
        .withMessageContaining("X-CSRF-Token");
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(() -> sessions.admits(cookie, "POST", "vmc_other"))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN));
    assertThatExceptionOfType(ApiException.class)
        .isThrownBy(() -> sessions.admits("vms_unknown", "GET", null))
        .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED));
  }
}

package io.vmagent.backend.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.vmagent.backend.config.Retention;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetentionSweepTest {
  @Test
  void sweepRunsEveryTenthOfTheShortestRetentionBetweenASecondAndTenMinutes() {
    assertThat(RetentionSweep.period(Retention.DEFAULTS)).isEqualTo(Duration.ofMinutes(10));
    assertThat(RetentionSweep.period(Retention.all(Duration.ofSeconds(30))))
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(RetentionSweep.period(Retention.all(Duration.ofSeconds(2))))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(
            RetentionSweep.period(
                new Retention(
                    Duration.ofDays(7),
                    Duration.ofDays(30),
                    Duration.ofDays(30),
                    Duration.ofMinutes(20),
                    Duration.ofDays(7))))
        .isEqualTo(Duration.ofMinutes(2));
  }

  @Test
  void aRetentionMustBePositive() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> Retention.all(Duration.ZERO))
        .withMessageContaining("metricsRetention");
  }
}

package io.vmagent.agent.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BackendContactTest {
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final BackendContact contact = new BackendContact(nanos::get);

  @Test
  void countsFromStartUntilTheFirstAnswer() {
    nanos.addAndGet(3_000_000_000L);

    assertThat(contact.last()).isNull();
    assertThat(contact.secondsSince()).isEqualTo(3.0);
  }

  @Test
  void countsFromTheLastAnswerAndIgnoresFailedAttempts() {
    nanos.addAndGet(5_000_000_000L);
    contact.contact(true);
    nanos.addAndGet(2_000_000_000L);
    contact.contact(false);

    assertThat(contact.last()).isNotNull();
    assertThat(contact.secondsSince()).isEqualTo(2.0);
  }
}

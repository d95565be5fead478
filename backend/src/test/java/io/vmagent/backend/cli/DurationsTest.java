package io.vmagent.backend.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationsTest {
  private final Durations durations = new Durations();

  @Test
  void readsEveryUnit() {
    assertThat(durations.convert("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(durations.convert("90s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(durations.convert("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(durations.convert("2h")).isEqualTo(Duration.ofHours(2));
    assertThat(durations.convert("30d")).isEqualTo(Duration.ofDays(30));
  }

  @Test
  void refusesAnythingElseWithTheAcceptedForms() {
    assertThatThrownBy(() -> durations.convert("10 minutes"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("30s");
    assertThatThrownBy(() -> durations.convert("-5s"))
        .isInstanceOf(CommandLine.TypeConversionException.class);
  }

  @Test
  void eachOptionsRangeIsCheckedWhereTheValueIsRead() {
    Durations deadline = new Durations.Deadline();
    assertThat(deadline.convert("24h")).isEqualTo(Duration.ofDays(1));
    // 1,193,047 hours is 4,294,969,200 s: cast to an int it used to become 1,904 s.
    assertThatThrownBy(() -> deadline.convert("1193047h"))
        .isInstanceOf(CommandLine.TypeConversionException.class)
        .hasMessageContaining("out of range: use 1s to 1d");
    assertThatThrownBy(() -> deadline.convert("500ms")).hasMessageContaining("out of range");
    assertThatThrownBy(() -> new Durations.Retention().convert("999999999d"))
        .hasMessageContaining("1s to 3650d");
    assertThatThrownBy(() -> durations.convert("999999999d")).hasMessageContaining("out of range");
  }
}

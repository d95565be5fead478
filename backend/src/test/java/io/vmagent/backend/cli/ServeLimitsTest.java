package io.vmagent.backend.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.config.Limits;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The serve options' defaults are the limits' defaults, so the docs and --help tell the truth. */
class ServeLimitsTest {
  @Test
  void serveDefaultsAreTheLimitsDefaults() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve).parseArgs();
    assertThat(serve.limits()).isEqualTo(Limits.defaults());
  }

  @Test
  void aLimitOptionReachesTheLimits() {
    ServeCommand serve = new ServeCommand();
    new CommandLine(serve)
        .parseArgs("--max-polls-per-agent", "5", "--metrics-mib-per-agent-per-day", "2");
    assertThat(serve.limits().maxWaitingPollsPerAgent()).isEqualTo(5);
    assertThat(serve.limits().metricsBytesPerAgentPerDay()).isEqualTo(2L << 20);
  }
}

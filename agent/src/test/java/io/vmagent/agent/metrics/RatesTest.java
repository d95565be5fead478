package io.vmagent.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RatesTest {
  @Test
  void rateIsDeltaOverSeconds() {
    assertThat(Rates.perSecond(100, 400, 1.5)).isEqualTo(200.0);
    assertThat(Rates.perSecond(100, 100, 1)).isEqualTo(0.0);
  }

  @Test
  void noRateWithoutAnHonestBasis() {
    assertThat(Rates.perSecond(-1, 400, 1)).as("no previous reading").isNaN();
    assertThat(Rates.perSecond(100, -1, 1)).as("not reported now").isNaN();
    assertThat(Rates.perSecond(500, 400, 1)).as("counter reset").isNaN();
    assertThat(Rates.perSecond(100, 400, 0)).as("no time passed").isNaN();
    assertThat(Rates.perSecond(100, 400, Double.NaN)).isNaN();
  }

  @Test
  void percentIsClampedAndUndefinedWithoutCapacity() {
    assertThat(Rates.percent(50, 200)).isEqualTo(25.0);
    assertThat(Rates.percent(300, 200)).isEqualTo(100.0);
    assertThat(Rates.percent(1, 0)).isNaN();
    assertThat(Rates.percent(-1, 10)).isNaN();
  }
}

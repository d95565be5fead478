package io.vmagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class PercentilesTest {

  @Test
  void nearestRankOverOneToHundred() {
    Percentiles p = Percentiles.of(LongStream.rangeClosed(1, 100).toArray());
    assertThat(p.percentile(50)).isEqualTo(50);
    assertThat(p.percentile(95)).isEqualTo(95);
    assertThat(p.percentile(99)).isEqualTo(99);
    assertThat(p.percentile(100)).isEqualTo(100);
    assertThat(p.max()).isEqualTo(100);
  }

  @Test
  void unsortedInputIsSortedWithoutChangingTheCallersArray() {
    long[] values = {40, 10, 30, 20};
    Percentiles p = Percentiles.of(values);
    assertThat(p.percentile(50)).isEqualTo(20);
    assertThat(p.percentile(75)).isEqualTo(30);
    assertThat(p.percentile(76)).isEqualTo(40);
    assertThat(values).containsExactly(40, 10, 30, 20);
  }

  @Test
  void highPercentileOfFewValuesIsTheMaximum() {
    Percentiles p = Percentiles.of(new long[] {5, 1, 9});
    assertThat(p.percentile(99)).isEqualTo(9);
    assertThat(p.percentile(1)).isEqualTo(1);
  }

  @Test
  void noValuesGiveZero() {
    Percentiles p = Percentiles.of(new long[0]);
    assertThat(p.count()).isZero();
    assertThat(p.percentile(99)).isZero();
    assertThat(p.max()).isZero();
  }

  @Test
  void percentileOutsideRangeIsRefused() {
    Percentiles p = Percentiles.of(new long[] {1});
    assertThatIllegalArgumentException().isThrownBy(() -> p.percentile(0));
    assertThatIllegalArgumentException().isThrownBy(() -> p.percentile(100.5));
    assertThatIllegalArgumentException().isThrownBy(() -> p.percentile(Double.NaN));
  }

  @Test
  void logBeyondItsCapStillCountsAndKeepsTheMaximum() {
    LatencyLog log = new LatencyLog(3);
    for (long v : new long[] {1_000, 2_000, 3_000, 9_000_000}) {
      log.add(v);
    }
    LatencySummary s = log.summary(2.0, 1);
    assertThat(s.count()).isEqualTo(4);
    assertThat(s.errors()).isEqualTo(1);
    assertThat(s.perSecond()).isEqualTo(2.0);
    assertThat(s.maxMs()).isEqualTo(9_000.0);
    assertThat(s.p99Ms()).isEqualTo(3.0);
    assertThat(s.sampled()).isTrue();
  }
}

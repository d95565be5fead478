package io.vmagent.backend.service;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionsTest {
  @Test
  void numericPartsCompareAsNumbersNotText() {
    assertThat(Versions.compare("0.10.0", "0.9.2")).isPositive();
    assertThat(Versions.compare("1.2", "1.2.0")).isZero();
    assertThat(Versions.compare("1.2.0", "1.2.1")).isNegative();
    assertThat(Versions.compare("2.0.0-rc1", "2.0.0-rc2")).isNegative();
  }
}

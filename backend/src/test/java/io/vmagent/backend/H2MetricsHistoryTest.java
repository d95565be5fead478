package io.vmagent.backend;

/** The metrics history on the embedded H2 database. */
class H2MetricsHistoryTest extends MetricsHistoryTests {
  @Override
  TestDatabase database() {
    return TestDatabase.H2;
  }
}

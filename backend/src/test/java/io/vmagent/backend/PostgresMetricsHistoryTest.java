package io.vmagent.backend;

/** The metrics history on PostgreSQL (skipped, saying so, when VMAGENT_TEST_PG_URL is unset). */
class PostgresMetricsHistoryTest extends MetricsHistoryTests {
  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }
}

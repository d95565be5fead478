package io.vmagent.backend;

/** The protocol flows on PostgreSQL (skipped, saying so, when VMAGENT_TEST_PG_URL is unset). */
class PostgresBackendFlowTest extends BackendFlowTests {
  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }
}

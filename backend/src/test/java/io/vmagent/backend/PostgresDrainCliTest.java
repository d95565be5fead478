package io.vmagent.backend;

/**
 * Drains through the operator CLI on PostgreSQL (skipped, saying so, when VMAGENT_TEST_PG_URL is
 * unset).
 */
class PostgresDrainCliTest extends DrainCliTest {
  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }
}

package io.vmagent.backend;

/**
 * Migrations through the operator CLI on PostgreSQL (skipped, saying so, when VMAGENT_TEST_PG_URL
 * is unset).
 */
class PostgresMigrationCliTest extends MigrationCliTest {
  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }
}

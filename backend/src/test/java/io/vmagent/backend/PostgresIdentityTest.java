package io.vmagent.backend;

/** Key-bound identities on PostgreSQL. */
class PostgresIdentityTest extends IdentityTests {
  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRESQL;
  }
}

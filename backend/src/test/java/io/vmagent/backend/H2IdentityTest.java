package io.vmagent.backend;

/** Key-bound identities on the embedded H2 database. */
class H2IdentityTest extends IdentityTests {
  @Override
  TestDatabase database() {
    return TestDatabase.H2;
  }
}

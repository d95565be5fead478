package io.vmagent.backend;

/** The protocol flows on the embedded H2 database. */
class H2BackendFlowTest extends BackendFlowTests {
  @Override
  TestDatabase database() {
    return TestDatabase.H2;
  }
}

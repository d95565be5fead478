package io.vmagent.backend;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the suite runs on: embedded H2 always, PostgreSQL when {@code VMAGENT_TEST_PG_URL}
 * (with {@code VMAGENT_TEST_PG_USER} and {@code VMAGENT_TEST_PG_PASSWORD}) names one, as bin/test
 * arranges. Each PostgreSQL backend gets a schema of its own.
 */
enum TestDatabase {
  H2,
  POSTGRESQL;

  static final String PG_URL = System.getenv("VMAGENT_TEST_PG_URL");
  static final String PG_USER = System.getenv("VMAGENT_TEST_PG_USER");
  static final String PG_PASSWORD = System.getenv("VMAGENT_TEST_PG_PASSWORD");

  /** Skips the calling test, saying why, when this database is not available. */
  void assumeAvailable() {
    if (this == POSTGRESQL) {
      Assumptions.assumeTrue(
          PG_URL != null && !PG_URL.isBlank(),
          "VMAGENT_TEST_PG_URL is not set: PostgreSQL tests skipped (bin/test starts a private"
              + " PostgreSQL and sets it)");
    }
  }

  /** A fresh schema name for one test. */
  static String newSchema() {
    return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  }

  /** Points the builder at this database; {@code schema} is used on PostgreSQL only. */
  VmBackend.Builder configure(VmBackend.Builder builder, String schema) {
    if (this == POSTGRESQL) {
      builder.jdbcUrl(PG_URL).dbCredentials(PG_USER, PG_PASSWORD).dbSchema(schema).dbPoolSize(4);
    }
    return builder;
  }

  /**
   * A backend on this database with its data in {@code dataDir}, listening on a free loopback port;
   * {@code schema} is used on PostgreSQL only.
   */
  RunningBackend start(Path dataDir, String schema) throws Exception {
    return configure(VmBackend.builder().dataDir(dataDir).listen("127.0.0.1", 0), schema)
        .build()
        .start();
  }

  /** Drops a test's schema. */
  static void dropSchema(String schema) throws SQLException {
    try (Connection c = DriverManager.getConnection(PG_URL, PG_USER, PG_PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }
}

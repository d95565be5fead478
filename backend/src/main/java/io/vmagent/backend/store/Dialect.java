package io.vmagent.backend.store;

/** The SQL dialects the backend runs on; where their SQL differs, the stores ask this. */
public enum Dialect {
  H2,
  POSTGRESQL;

  /** The dialect of a JDBC URL. */
  static Dialect of(String jdbcUrl) {
    if (jdbcUrl.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new IllegalArgumentException(
        "unsupported database URL (use jdbc:postgresql://... or leave it out for embedded H2)");
  }
}

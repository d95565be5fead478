package io.vmagent.backend.store;

import java.sql.Connection;
import java.sql.SQLException;

/** A unit of database work run on one connection inside one transaction. */
@FunctionalInterface
public interface SqlWork<T> {
  /** Does the work on this connection. */
  T run(Connection connection) throws SQLException;
}

package io.vmagent.backend.store;

/** The database failed a request; the cause is the driver's exception. */
public final class StorageException extends RuntimeException {
  /** Wraps a driver failure with what the backend was doing. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * True when the database refused a row because its key already exists (SQLSTATE 23505 on both
   * PostgreSQL and H2): a concurrent request inserted it first.
   */
  public boolean uniqueViolation() {
    return getCause() instanceof java.sql.SQLException sql && "23505".equals(sql.getSQLState());
  }
}

package io.vmagent.backend.store;

/** The database failed a request; the cause is the driver's exception. */
public final class StorageException extends RuntimeException {
  /** Wraps a driver failure with what the backend was doing. */
  public StorageException(String message, Throwable cause) {
    super(message, cause);
  }
}

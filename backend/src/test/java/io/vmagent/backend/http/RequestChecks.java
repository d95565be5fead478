package io.vmagent.backend.http;

/** The shared request checks' counters, for tests outside this package. */
public final class RequestChecks {
  private RequestChecks() {}

  /**
   * How many requests, in this JVM so far, the compiled check refused and the library then
   * accepted.
   */
  public static long disagreements() {
    return new RequestValidator().disagreements();
  }
}

package io.vmagent.agent.doctor;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The outcome of one of the doctor's checks.
 *
 * @param check the check's name, e.g. {@code tcp connect}
 * @param status passed, failed, or skipped because an earlier check it needs failed
 * @param detail what was found (a failure's cause, with the address or file it concerns)
 * @param hint what to do about a failure; null otherwise
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Finding(String check, Status status, String detail, String hint) {
  /** A check's outcome. */
  public enum Status {
    PASS,
    FAIL,
    SKIP
  }

  static Finding pass(String check, String detail) {
    return new Finding(check, Status.PASS, detail, null);
  }

  static Finding fail(String check, String detail, String hint) {
    return new Finding(check, Status.FAIL, detail, hint);
  }

  static Finding skip(String check, String reason) {
    return new Finding(check, Status.SKIP, reason, null);
  }

  /** Whether the check passed. */
  public boolean passed() {
    return status == Status.PASS;
  }
}

package io.vmagent.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/** A backend answer: its status and body (which may hold secrets such as tokens: never log it). */
final class Reply {
  private final int status;
  private final byte[] body;

  Reply(int status, byte[] body) {
    this.status = status;
    this.body = body;
  }

  /** The HTTP status. */
  int status() {
    return status;
  }

  /** The body bytes, for the caller to read and not to change. */
  byte[] body() {
    return body;
  }

  boolean ok() {
    return status >= 200 && status < 300;
  }

  <T> T as(ObjectMapper json, Class<T> type) {
    try {
      return json.readValue(body, type);
    } catch (IOException e) {
      throw new UncheckedIOException("unreadable " + type.getSimpleName() + " from backend", e);
    }
  }
}

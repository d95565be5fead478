package io.vmagent.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A backend answer: its status and body.
 *
 * @param status the HTTP status
 * @param body the body bytes (may hold secrets such as tokens: never log it)
 */
record Reply(int status, byte[] body) {

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

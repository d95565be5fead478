package io.vmagent.backend.http;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What an endpoint answers: an HTTP status and a body serialised as JSON, or (for long polls) a
 * future answer that is written when it completes, without holding a server thread meanwhile.
 *
 * @param status the HTTP status
 * @param body the body (a protocol record or a Jackson tree, or {@link Text} written as it is)
 * @param later the answer to come; null for an answer given now
 * @param retryAfter the {@code Retry-After} to send, or null
 * @param hold how long to wait before writing the answer, or null for at once
 */
record Reply(
    int status, Object body, CompletableFuture<Reply> later, Duration retryAfter, Duration hold) {
  Reply(int status, Object body, CompletableFuture<Reply> later) {
    this(status, body, later, null, null);
  }

  static Reply ok(Object body) {
    return new Reply(200, body, null);
  }

  static Reply created(Object body) {
    return new Reply(201, body, null);
  }

  static Reply later(CompletableFuture<Reply> later) {
    return new Reply(0, null, later);
  }

  /** A 200 answer of {@code bytes} as they are, of {@code contentType}, instead of JSON. */
  static Reply text(String contentType, byte[] bytes) {
    return ok(new Text(contentType, bytes));
  }

  /** A body written as it is, with its own media type. */
  static final class Text {
    private final String contentType;
    private final byte[] bytes;

    private Text(String contentType, byte[] bytes) {
      this.contentType = contentType;
      this.bytes = bytes;
    }

    String contentType() {
      return contentType;
    }

    /** The body; the caller does not change it (it is written once, as it is). */
    byte[] bytes() {
      return bytes;
    }
  }
}

package io.vmagent.backend.http;

/**
 * The body a route reads: its protocol type, its size limit, and whether it holds a secret (then a
 * refusal names no field and quotes nothing of it).
 *
 * @param type the protocol record the body binds to
 * @param maxBytes the largest body accepted
 * @param secret whether the body holds a secret
 */
record Body<T>(Class<T> type, int maxBytes, boolean secret) {
  /** A body of this type, at most {@code maxBytes}. */
  static <T> Body<T> of(Class<T> type, int maxBytes) {
    return new Body<>(type, maxBytes, false);
  }

  /** A body of this type holding a secret, at most {@code maxBytes}. */
  static <T> Body<T> secret(Class<T> type, int maxBytes) {
    return new Body<>(type, maxBytes, true);
  }
}

package io.vmagent.backend.http;

/**
 * What an endpoint answers: an HTTP status and a body serialised as JSON.
 *
 * @param status the HTTP status
 * @param body the body (a protocol record or a Jackson tree)
 */
record Reply(int status, Object body) {
  static Reply ok(Object body) {
    return new Reply(200, body);
  }

  static Reply created(Object body) {
    return new Reply(201, body);
  }
}

package io.vmagent.backend.http;

import java.util.Locale;

/**
 * The secret a route's caller proves itself with, as far as failed attempts are concerned: the
 * guessable ones (bootstrap, refresh and operator tokens) are refused for a while after too many
 * failures from one address; an access token is a signed JWT, so its failures are only counted.
 */
enum Credential {
  NONE(false),
  ACCESS_TOKEN(false),
  BOOTSTRAP_TOKEN(true),
  REFRESH_TOKEN(true),
  OPERATOR_TOKEN(true);

  final boolean guessable;

  Credential(boolean guessable) {
    this.guessable = guessable;
  }

  String label() {
    return name().toLowerCase(Locale.ROOT).replace('_', ' ');
  }
}

package io.vmagent.backend.http;

/**
 * Who may call a route: the credential the caller proves and the check of it, made before the route
 * reads its input.
 *
 * @param credential the secret the caller proves itself with
 * @param check refuses the caller with an {@code ApiException}, or records who it is
 */
record Caller(Credential credential, Check check) {
  /** Anyone: the route needs no credential. */
  static final Caller ANYONE = new Caller(Credential.NONE, x -> {});

  /** A caller whose credential is part of the request, checked by the service that answers. */
  static Caller checkedByService(Credential credential) {
    return new Caller(credential, x -> {});
  }

  /** The check of one caller. */
  @FunctionalInterface
  interface Check {
    /** Refuses the exchange's caller, or records on the exchange who it is. */
    void admit(Exchange exchange);
  }
}

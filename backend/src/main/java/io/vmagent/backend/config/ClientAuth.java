package io.vmagent.backend.config;

/** Whether the backend's TLS endpoint asks agents for a client certificate (mutual TLS). */
public enum ClientAuth {
  /** No client certificate is requested. */
  OFF,
  /** A client certificate is requested; when one is sent it must chain to the client CA. */
  OPTIONAL,
  /** A client certificate chaining to the client CA is required for every connection. */
  REQUIRED
}

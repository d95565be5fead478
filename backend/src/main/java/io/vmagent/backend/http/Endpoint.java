package io.vmagent.backend.http;

/** One operation of the API, called once its caller is admitted and its request checked. */
@FunctionalInterface
interface Endpoint {
  /** Answers the exchange; refusals are {@code ApiException}s. */
  Reply handle(Exchange exchange) throws Exception;

  /** An operation that takes a body, read, checked and bound before it is called. */
  @FunctionalInterface
  interface WithBody<T> {
    /** Answers the exchange and its body; refusals are {@code ApiException}s. */
    Reply handle(Exchange exchange, T body) throws Exception;
  }
}

package io.vmagent.backend.http;

/** One operation of the API. */
@FunctionalInterface
interface Endpoint {
  /** Answers the exchange; refusals are {@code ApiException}s. */
  Reply handle(Exchange exchange) throws Exception;
}

package io.vmagent.testing;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An attacker's long poll: one request sent again the moment it is answered, until a time, each
 * answer counted by status and each failure to get one counted by the kind of its cause.
 */
public final class PollFlood {
  private PollFlood() {}

  /**
   * Loops {@code poll} on {@code http} until {@code until}; completes when the last answer came.
   */
  public static CompletableFuture<Void> loop(
      HttpClient http,
      HttpRequest poll,
      Instant until,
      Map<Integer, AtomicInteger> statuses,
      Map<String, AtomicInteger> failures) {
    return http.sendAsync(poll, HttpResponse.BodyHandlers.discarding())
        .handle(
            (response, error) -> {
              if (error != null) {
                Throwable cause = error;
                while (cause.getCause() != null) {
                  cause = cause.getCause();
                }
                failures
                    .computeIfAbsent(cause.getClass().getSimpleName(), k -> new AtomicInteger())
                    .incrementAndGet();
              } else {
                statuses
                    .computeIfAbsent(response.statusCode(), s -> new AtomicInteger())
                    .incrementAndGet();
              }
              return null;
            })
        .thenCompose(
            ignored ->
                Instant.now().isBefore(until)
                    ? loop(http, poll, until, statuses, failures)
                    : CompletableFuture.completedFuture(null));
  }
}

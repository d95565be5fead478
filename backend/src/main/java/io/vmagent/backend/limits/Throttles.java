package io.vmagent.backend.limits;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.EstimationProbe;
import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.config.Limits;
import io.vmagent.backend.threads.Timers;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The rate limits and quotas of one backend instance (Bucket4j token buckets, kept in memory):
 * failed authentications per source address and per credential, requests per agent and endpoint,
 * registrations per bootstrap token, and metrics bytes per agent per day. Each check answers how
 * long the caller must wait, or nothing when it may go on. A whole fleet may come from one address
 * (NAT), so nothing but failed authentication is counted per address.
 */
public final class Throttles implements AutoCloseable {
  private static final int MAX_KEYS = 100_000;

  private final KeyedBuckets failedByAddress;
  private final KeyedBuckets failedByCredential;
  private final KeyedBuckets agentRequests;
  private final KeyedBuckets byCredential;
  private final KeyedBuckets registrations;
  private final KeyedBuckets metricsBytes;
  private final ScheduledExecutorService sweeper;
  private final long metricsQuota;

  /** Throttles with these limits; a daemon thread forgets refilled buckets once a minute. */
  public Throttles(Limits limits) {
    failedByAddress =
        keyed(
            limits.failedAuthBurstPerAddress(),
            limits.failedAuthPerAddressPerMinute(),
            Duration.ofMinutes(1),
            false);
    // One credential failing again and again (a revoked token on a forgotten host) is allowed
    // one more attempt a minute after its burst.
    failedByCredential =
        keyed(limits.failedAuthBurstPerCredential(), 1, Duration.ofMinutes(1), false);
    agentRequests =
        keyed(
            limits.agentRequestsPerMinute(),
            limits.agentRequestsPerMinute(),
            Duration.ofMinutes(1),
            false);
    byCredential =
        keyed(
            limits.agentRequestsPerMinute(),
            limits.agentRequestsPerMinute(),
            Duration.ofMinutes(1),
            false);
    registrations =
        keyed(
            limits.registrationsPerTokenPerMinute(),
            limits.registrationsPerTokenPerMinute(),
            Duration.ofMinutes(1),
            false);
    metricsQuota = limits.metricsBytesPerAgentPerDay();
    // A quota, not a rate: the whole day's bytes come back at once when its day ends.
    metricsBytes =
        keyed(
            limits.metricsBytesPerAgentPerDay(),
            limits.metricsBytesPerAgentPerDay(),
            Duration.ofDays(1),
            true);
    sweeper = Timers.daemon("vm-backend-throttle-sweeper");
    var unused = sweeper.scheduleWithFixedDelay(this::forgetRefilled, 1, 1, TimeUnit.MINUTES);
  }

  private static KeyedBuckets keyed(
      long capacity, long refill, Duration period, boolean intervally) {
    return new KeyedBuckets(
        () ->
            Bucket.builder()
                .addLimit(
                    limit -> {
                      var refilling = limit.capacity(capacity);
                      return intervally
                          ? refilling.refillIntervally(refill, period)
                          : refilling.refillGreedy(refill, period);
                    })
                .build(),
        capacity,
        MAX_KEYS);
  }

  /**
   * The key a request's bearer credential is counted under (a hash, never the secret), or null when
   * the header carries none.
   */
  public static String credentialKey(String authorizationHeader) {
    return Secrets.bearer(authorizationHeader)
        .map(token -> Secrets.hash(token).substring(0, 32))
        .orElse(null);
  }

  /**
   * Whether this address, or this credential, used up its failed authentications: then the attempt
   * is refused before its credential is looked at. Empty when it may try.
   */
  public Optional<Duration> authenticationBlocked(String address, String credentialKey) {
    Optional<Duration> byAddress = exhausted(failedByAddress.peek(address));
    return byAddress.isPresent()
        ? byAddress
        : credentialKey == null
            ? Optional.empty()
            : exhausted(failedByCredential.peek(credentialKey));
  }

  /** Counts a failed authentication against the address and the credential. */
  public void authenticationFailed(String address, String credentialKey) {
    failedByAddress.get(address).tryConsume(1);
    if (credentialKey != null) {
      failedByCredential.get(credentialKey).tryConsume(1);
    }
  }

  /**
   * One request of the agent to one endpoint, counted for the agent and for the credential it came
   * with; the wait when either made too many this minute.
   */
  public Optional<Duration> agentRequest(String agentId, String credentialKey, String endpoint) {
    Optional<Duration> byAgent = take(agentRequests.get(agentId + " " + endpoint), 1);
    if (credentialKey != null) {
      byCredential.get(credentialKey + " " + endpoint).tryConsume(1);
    }
    return byAgent;
  }

  /**
   * Whether requests with this credential to this endpoint already used up their rate: then the
   * request is refused before its token is verified or the database asked, so a client looping on
   * one token costs little. A credential that is not known has a bucket of its own, so nobody can
   * use up an agent's rate without its token.
   */
  public Optional<Duration> credentialExhausted(String credentialKey, String endpoint) {
    return exhausted(byCredential.peek(credentialKey + " " + endpoint));
  }

  /** One registration with the bootstrap token; the wait when it made too many this minute. */
  public Optional<Duration> registration(String bootstrapTokenId) {
    return take(registrations.get(bootstrapTokenId), 1);
  }

  /**
   * Metrics of {@code bytes} from the agent; the wait until its day's quota is back when they do
   * not fit (nothing is counted then).
   */
  public Optional<Duration> metrics(String agentId, long bytes) {
    // A batch larger than the whole quota uses it up rather than never fitting.
    return take(metricsBytes.get(agentId), Math.max(1, Math.min(bytes, metricsQuota)));
  }

  private static Optional<Duration> take(Bucket bucket, long tokens) {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(tokens);
    return probe.isConsumed()
        ? Optional.empty()
        : Optional.of(roundedUp(probe.getNanosToWaitForRefill()));
  }

  private static Optional<Duration> exhausted(Bucket bucket) {
    if (bucket == null) {
      return Optional.empty();
    }
    EstimationProbe probe = bucket.estimateAbilityToConsume(1);
    return probe.canBeConsumed()
        ? Optional.empty()
        : Optional.of(roundedUp(probe.getNanosToWaitForRefill()));
  }

  /** Whole seconds, at least one, for {@code Retry-After}. */
  private static Duration roundedUp(long nanos) {
    return Duration.ofSeconds(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L));
  }

  private void forgetRefilled() {
    failedByAddress.forgetRefilled();
    failedByCredential.forgetRefilled();
    agentRequests.forgetRefilled();
    byCredential.forgetRefilled();
    registrations.forgetRefilled();
    metricsBytes.forgetRefilled();
  }

  @Override
  public void close() {
    sweeper.shutdownNow();
  }
}

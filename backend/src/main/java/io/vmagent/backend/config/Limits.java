package io.vmagent.backend.config;

/**
 * What one backend instance lets any single client hold or do, validated once. Each limit is a
 * {@code serve} option; docs/reliability.md has the table of defaults, what a client sees past
 * each, and the test that proves it.
 *
 * @param maxConnections TLS connections held at once; past it no more are accepted until one closes
 *     (the kernel's listen queue holds a few more)
 * @param newConnectionsPerSecond new connections let in per second from anyone (a burst of as
 *     many); past it each source address gets a tenth and is refused at once beyond, so a storm of
 *     TLS handshakes cannot take every core nor keep other addresses out
 * @param maxRequestsInFlight requests being worked on at once (waiting long polls excluded); past
 *     it 503 with {@code Retry-After: 1}
 * @param maxWaitingPollsPerAgent long polls one agent may hold waiting; a newer one answers the
 *     oldest, empty, at once
 * @param failedAuthBurstPerAddress failed authentications one source address may make at once
 *     before 429
 * @param failedAuthPerAddressPerMinute the rate they are allowed again after the burst
 * @param failedAuthBurstPerCredential failed attempts with one credential before 429
 * @param agentRequestsPerMinute requests one agent may make to one endpoint per minute (a burst of
 *     as many)
 * @param registrationsPerTokenPerMinute registrations one bootstrap token may make per minute (a
 *     burst of as many)
 * @param metricsBytesPerAgentPerDay metrics body bytes one agent may send per day; past it 429 with
 *     {@code Retry-After} up to the end of its day
 */
public record Limits(
    int maxConnections,
    int newConnectionsPerSecond,
    int maxRequestsInFlight,
    int maxWaitingPollsPerAgent,
    int failedAuthBurstPerAddress,
    int failedAuthPerAddressPerMinute,
    int failedAuthBurstPerCredential,
    int agentRequestsPerMinute,
    int registrationsPerTokenPerMinute,
    long metricsBytesPerAgentPerDay) {

  /**
   * The defaults, sized for the launcher's 512 MiB heap (docs/protocol.md has the arithmetic) and
   * for a fleet of 5,000 agents behind one address, whose registration storm after a backend
   * restore must pass in one burst (a token's count of agents is {@code token create
   * --max-agents}).
   */
  public static Limits defaults() {
    return new Limits(8_000, 300, 256, 2, 30, 30, 10, 600, 6_000, 256L << 20);
  }

  /** These limits with another rate of new connections. */
  public Limits withNewConnectionsPerSecond(int perSecond) {
    return new Limits(
        maxConnections,
        perSecond,
        maxRequestsInFlight,
        maxWaitingPollsPerAgent,
        failedAuthBurstPerAddress,
        failedAuthPerAddressPerMinute,
        failedAuthBurstPerCredential,
        agentRequestsPerMinute,
        registrationsPerTokenPerMinute,
        metricsBytesPerAgentPerDay);
  }

  /** These limits with another rate of requests per agent and endpoint. */
  public Limits withAgentRequestsPerMinute(int perMinute) {
    return new Limits(
        maxConnections,
        newConnectionsPerSecond,
        maxRequestsInFlight,
        maxWaitingPollsPerAgent,
        failedAuthBurstPerAddress,
        failedAuthPerAddressPerMinute,
        failedAuthBurstPerCredential,
        perMinute,
        registrationsPerTokenPerMinute,
        metricsBytesPerAgentPerDay);
  }

  /** Checks every limit; a bad one is an {@link IllegalArgumentException} naming it. */
  public Limits {
    atLeast("maxConnections", maxConnections, 16);
    atLeast("newConnectionsPerSecond", newConnectionsPerSecond, 10);
    atLeast("maxRequestsInFlight", maxRequestsInFlight, 8);
    atLeast("maxWaitingPollsPerAgent", maxWaitingPollsPerAgent, 1);
    atLeast("failedAuthBurstPerAddress", failedAuthBurstPerAddress, 1);
    atLeast("failedAuthPerAddressPerMinute", failedAuthPerAddressPerMinute, 1);
    atLeast("failedAuthBurstPerCredential", failedAuthBurstPerCredential, 1);
    atLeast("agentRequestsPerMinute", agentRequestsPerMinute, 10);
    atLeast("registrationsPerTokenPerMinute", registrationsPerTokenPerMinute, 1);
    atLeast("metricsBytesPerAgentPerDay", metricsBytesPerAgentPerDay, 1024);
  }

  private static void atLeast(String name, long value, long minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
    }
  }
}

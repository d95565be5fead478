package io.vmagent.backend.limits;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.time.Duration;

/**
 * Which new connections the backend lets in: up to {@code perSecond} a second from anyone, and past
 * that each source address its own share ({@code perSecond / 10}, at least 5), so one flooding
 * address cannot keep every other client (a host reconnecting, an operator) out. A whole fleet
 * behind one address still gets the full rate whenever nobody else floods.
 */
public final class NewConnections {
  private static final int MAX_ADDRESSES = 10_000;

  private final Bucket anyone;
  private final KeyedBuckets byAddress;
  private final RefusalLog refusals = new RefusalLog();

  public NewConnections(int perSecond) {
    this.anyone = perSecond(perSecond);
    int share = Math.max(5, perSecond / 10);
    this.byAddress = new KeyedBuckets(() -> perSecond(share), share, MAX_ADDRESSES);
  }

  private static Bucket perSecond(int rate) {
    return Bucket.builder()
        .addLimit(
            Bandwidth.builder().capacity(rate).refillGreedy(rate, Duration.ofSeconds(1)).build())
        .build();
  }

  /** Whether a connection from {@code address} may start its TLS handshake now. */
  public boolean admit(String address) {
    if (anyone.tryConsume(1) || byAddress.get(address).tryConsume(1)) {
      return true;
    }
    refusals.refused(address, "new connection", "past the rate of new connections and its share");
    return false;
  }
}

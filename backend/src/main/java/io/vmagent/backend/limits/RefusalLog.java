package io.vmagent.backend.limits;

import io.vmagent.protocol.text.Printable;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs refused credentials at WARN, with the source address and the kind of credential and never
 * the secret, at most one line per address a minute: the line says how many were refused since, so
 * a flood of wrong tokens cannot flood the log.
 */
public final class RefusalLog {
  private static final Logger LOG = LoggerFactory.getLogger(RefusalLog.class);
  private static final long INTERVAL_NANOS = 60_000_000_000L;
  private static final int MAX_ADDRESSES = 10_000;

  private record Entry(AtomicLong lastLogged, AtomicLong suppressed) {}

  private final Map<String, Entry> byAddress = new ConcurrentHashMap<>();

  /**
   * A request from {@code address} with a credential of {@code kind} was refused for {@code why}.
   */
  public void refused(String address, String kind, String why) {
    long now = System.nanoTime();
    if (byAddress.size() >= MAX_ADDRESSES) {
      byAddress.values().removeIf(e -> now - e.lastLogged().get() > INTERVAL_NANOS);
    }
    Entry entry =
        byAddress.computeIfAbsent(
            address, a -> new Entry(new AtomicLong(now - INTERVAL_NANOS), new AtomicLong()));
    long last = entry.lastLogged().get();
    if (now - last >= INTERVAL_NANOS && entry.lastLogged().compareAndSet(last, now)) {
      long more = entry.suppressed().getAndSet(0);
      LOG.warn(
          "refused a {} from {}: {}{}",
          kind,
          address,
          Printable.escape(why),
          more == 0 ? "" : " (and " + more + " more refusals from there in the last minute)");
    } else {
      entry.suppressed().incrementAndGet();
    }
  }
}

package io.vmagent.backend.http;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.nio.channels.SelectableChannel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides when the connector accepts: at most {@code maxConnections} at once and at most {@code
 * perSecond} new ones a second; a connection that has not brought a request within {@code
 * firstRequestTimeout} is closed, and while at the cap idle ones are closed after {@code
 * atCapIdleTimeout}.
 *
 * <p>The rate bounds the CPU that TLS handshakes may take (milliseconds each), so a storm of new
 * connections cannot starve the requests of agents already connected. The first-request timeout
 * keeps silent connections from holding slots for the whole idle timeout: silent connections alone
 * then hold at most rate times that timeout, which the defaults keep under the cap. Connections not
 * yet accepted wait in the kernel's listen queue. One object owns {@link
 * AbstractConnector#setAccepting}, so the two limits cannot undo each other.
 */
final class ConnectionAdmission implements Connection.Listener, SelectorManager.AcceptListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionAdmission.class);

  private final AbstractConnector connector;
  private final int maxConnections;
  private final Bucket newConnections;
  private final long firstRequestTimeoutMs;
  private final long atCapIdleTimeoutMs;
  private int open;
  private boolean accepting = true;
  private boolean recheckScheduled;

  ConnectionAdmission(
      AbstractConnector connector,
      int maxConnections,
      int perSecond,
      Duration firstRequestTimeout,
      Duration atCapIdleTimeout) {
    this.connector = connector;
    this.maxConnections = maxConnections;
    this.newConnections =
        Bucket.builder()
            .addLimit(
                Bandwidth.builder()
                    .capacity(perSecond)
                    .refillGreedy(perSecond, Duration.ofSeconds(1))
                    .build())
            .build();
    this.firstRequestTimeoutMs = firstRequestTimeout.toMillis();
    this.atCapIdleTimeoutMs = atCapIdleTimeout.toMillis();
  }

  @Override
  public void onAccepting(SelectableChannel channel) {
    synchronized (this) {
      // Already taken from the listen queue, so it is let in; the ones after it may wait.
      boolean unused = newConnections.tryConsume(1);
      open++;
      decide();
    }
  }

  @Override
  public void onAcceptFailed(SelectableChannel channel, Throwable cause) {
    synchronized (this) {
      open--;
      decide();
    }
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof SslConnection) {
      connection.getEndPoint().setIdleTimeout(firstRequestTimeoutMs);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof SslConnection) {
      synchronized (this) {
        open--;
        decide();
      }
    }
  }

  /** Gives a connection that brought a request the idle timeout of the moment. */
  void proven(EndPoint endPoint) {
    long idleTimeout;
    synchronized (this) {
      idleTimeout = open >= maxConnections ? atCapIdleTimeoutMs : connector.getIdleTimeout();
    }
    if (endPoint.getIdleTimeout() != idleTimeout) {
      endPoint.setIdleTimeout(idleTimeout);
    }
  }

  private void decide() {
    boolean underCap = open < maxConnections;
    long waitNanos = newConnections.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    boolean allow = underCap && waitNanos == 0;
    if (allow != accepting) {
      accepting = allow;
      connector.setAccepting(allow);
      if (!underCap) {
        atCap();
      }
    }
    if (underCap && waitNanos > 0 && !recheckScheduled) {
      recheckScheduled = true;
      var unused =
          connector.getScheduler().schedule(this::recheck, waitNanos, TimeUnit.NANOSECONDS);
    }
  }

  private void atCap() {
    // Whoever holds the slots, idle ones make room for clients with work to do.
    LOG.warn(
        "{} connections open, the cap: none is accepted until one closes; idle ones close after"
            + " {} ms",
        open,
        atCapIdleTimeoutMs);
    for (EndPoint endPoint : connector.getConnectedEndPoints()) {
      endPoint.setIdleTimeout(Math.min(endPoint.getIdleTimeout(), atCapIdleTimeoutMs));
    }
  }

  private void recheck() {
    synchronized (this) {
      recheckScheduled = false;
      decide();
    }
  }
}

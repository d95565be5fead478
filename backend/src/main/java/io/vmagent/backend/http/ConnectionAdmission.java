package io.vmagent.backend.http;

import io.vmagent.backend.limits.NewConnections;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.io.SelectorManager;
import org.eclipse.jetty.io.ssl.SslConnection;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.IO;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits connections: at most {@code maxConnections} at once, new ones as {@link NewConnections}
 * allows (others are closed at once, before their TLS handshake), and a connection that has not
 * brought a request within {@code firstRequestTimeout} is closed; while at the cap idle ones are
 * closed after {@code atCapIdleTimeout}.
 *
 * <p>The rate bounds the CPU that TLS handshakes may take (milliseconds each), so a storm of new
 * connections cannot starve the requests of agents already connected; refusing past it at once,
 * rather than leaving connections in the kernel's listen queue, keeps that queue short, so a client
 * from another address is not stuck behind a flood. The first-request timeout keeps silent
 * connections from holding slots for the whole idle timeout: silent connections alone then hold at
 * most rate times that timeout, which the defaults keep under the cap.
 */
final class ConnectionAdmission implements Connection.Listener, SelectorManager.AcceptListener {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionAdmission.class);

  private final AbstractConnector connector;
  private final int maxConnections;
  private final NewConnections newConnections;
  private final long firstRequestTimeoutMs;
  private final long atCapIdleTimeoutMs;
  private int open;
  private boolean accepting = true;
  // Read on every request without the lock; written under it.
  private volatile boolean atCap;

  ConnectionAdmission(
      AbstractConnector connector,
      int maxConnections,
      NewConnections newConnections,
      Duration firstRequestTimeout,
      Duration atCapIdleTimeout) {
    this.connector = connector;
    this.maxConnections = maxConnections;
    this.newConnections = newConnections;
    this.firstRequestTimeoutMs = firstRequestTimeout.toMillis();
    this.atCapIdleTimeoutMs = atCapIdleTimeout.toMillis();
  }

  @Override
  public void onAccepting(SelectableChannel channel) {
    synchronized (this) {
      // Counted until Jetty reports it opened or failed (closing it here makes it fail).
      open++;
      decide();
    }
    if (!newConnections.admit(sourceOf(channel))) {
      IO.close(channel);
    }
  }

  private static String sourceOf(SelectableChannel channel) {
    try {
      if (channel instanceof SocketChannel socket
          && socket.getRemoteAddress() instanceof InetSocketAddress remote) {
        return remote.getAddress().getHostAddress();
      }
    } catch (IOException gone) {
      // Closed before it was looked at: it will fail on its own.
    }
    return "unknown";
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

  /** {@code handler}, with each connection that brings a request given its ordinary timeout. */
  Handler admitting(Handler handler) {
    return new Handler.Wrapper(handler) {
      @Override
      public boolean handle(Request request, Response response, Callback callback)
          throws Exception {
        proven(request.getConnectionMetaData().getConnection().getEndPoint());
        return super.handle(request, response, callback);
      }
    };
  }

  private void proven(EndPoint endPoint) {
    long idleTimeout = atCap ? atCapIdleTimeoutMs : connector.getIdleTimeout();
    if (endPoint.getIdleTimeout() != idleTimeout) {
      endPoint.setIdleTimeout(idleTimeout);
    }
  }

  private void decide() {
    boolean underCap = open < maxConnections;
    atCap = !underCap;
    if (underCap != accepting) {
      accepting = underCap;
      connector.setAccepting(underCap);
      if (!underCap) {
        atCap();
      }
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
}

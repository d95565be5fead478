package io.vmagent.agent.backend;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;

/**
 * Why a connection to the backend failed, in words and with the address. The JDK's HTTP client says
 * it only with exception types and no message ({@code ClosedChannelException} for a refused
 * connection, {@code UnresolvedAddressException} for an unknown host name).
 */
public final class ConnectFailure {
  private ConnectFailure() {}

  /** The port of {@code url}, or its scheme's default when it names none. */
  public static int port(URI url) {
    return url.getPort() != -1 ? url.getPort() : "http".equals(url.getScheme()) ? 80 : 443;
  }

  /** {@code host:port} of {@code url}. */
  public static String address(URI url) {
    return url.getHost() + ":" + port(url);
  }

  /**
   * The reason {@code failure}, met connecting to {@code url}, gives, e.g. "connection refused".
   */
  public static String describe(Throwable failure, URI url) {
    String address = address(url);
    if (has(failure, UnresolvedAddressException.class)
        || has(failure, UnknownHostException.class)) {
      return "host name not found: " + url.getHost();
    }
    if (has(failure, HttpConnectTimeoutException.class)
        || has(failure, SocketTimeoutException.class)
        || String.valueOf(failure.getMessage()).contains("timed out")) {
      return "no answer from " + address + " within the timeout (a firewall dropping packets?)";
    }
    if (has(failure, NoRouteToHostException.class)) {
      return "no route to " + address;
    }
    if (has(failure, ClosedChannelException.class) || has(failure, ConnectException.class)) {
      return "connection refused by " + address;
    }
    String message = failure.getMessage();
    return (message == null ? failure.getClass().getSimpleName() : message) + " (" + address + ")";
  }

  static boolean has(Throwable failure, Class<? extends Throwable> type) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}

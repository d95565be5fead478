package io.vmagent.agent.doctor;

import io.vmagent.agent.backend.ConnectFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/** Whether the backend's host name resolves and its port accepts a TCP connection. */
final class NetworkChecks {
  static final String RESOLVE = "host name";
  static final String CONNECT = "tcp connect";

  private NetworkChecks() {}

  /** The addresses of the URL's host, and the finding; no addresses when it does not resolve. */
  record Resolved(List<InetAddress> addresses, Finding finding) {}

  static Resolved resolve(URI url) {
    String host = url.getHost();
    try {
      List<InetAddress> addresses = List.of(InetAddress.getAllByName(host));
      return new Resolved(
          addresses,
          Finding.pass(
              RESOLVE,
              host
                  + " resolves to "
                  + addresses.stream()
                      .map(InetAddress::getHostAddress)
                      .collect(Collectors.joining(", "))));
    } catch (UnknownHostException e) {
      return new Resolved(
          List.of(),
          Finding.fail(
              RESOLVE,
              ConnectFailure.describe(e, url),
              "check the host name in AGENT_BACKEND_URL, and this host's DNS"
                  + " (/etc/resolv.conf, /etc/hosts)"));
    }
  }

  /** The address that accepted a connection (null when none did), and the finding. */
  record Connected(InetSocketAddress address, Finding finding) {}

  /** Tries each address in turn, as the HTTP client does, within {@code timeout} each. */
  static Connected connect(URI url, List<InetAddress> addresses, Duration timeout) {
    int port = ConnectFailure.port(url);
    IOException last = null;
    for (InetAddress address : addresses) {
      InetSocketAddress target = new InetSocketAddress(address, port);
      long started = System.nanoTime();
      try (Socket socket = new Socket()) {
        socket.connect(target, (int) timeout.toMillis());
        long millis = (System.nanoTime() - started) / 1_000_000;
        return new Connected(
            target,
            Finding.pass(
                CONNECT,
                "connected to " + address.getHostAddress() + ":" + port + " in " + millis + " ms"));
      } catch (IOException e) {
        last = e;
      }
    }
    URI tried = withHost(url, addresses.get(addresses.size() - 1), port);
    return new Connected(
        null,
        Finding.fail(
            CONNECT,
            ConnectFailure.describe(last, tried)
                + (addresses.size() > 1
                    ? " (and "
                        + (addresses.size() - 1)
                        + " other addresses of "
                        + url.getHost()
                        + ")"
                    : ""),
            "is the backend running and listening on port "
                + port
                + "? check the port in AGENT_BACKEND_URL and the firewalls between this host and"
                + " the backend"));
  }

  private static URI withHost(URI url, InetAddress address, int port) {
    String host = address.getHostAddress();
    return URI.create(
        url.getScheme() + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port);
  }
}

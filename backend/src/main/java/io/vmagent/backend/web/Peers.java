package io.vmagent.backend.web;

import io.vmagent.backend.auth.PeerIdentity;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLSession;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/** Who the client certificate of a request's connection names. */
public final class Peers {
  private static final String PEER_KEY = "vm-backend.peer-identity";

  private Peers() {}

  /**
   * The identity the connection's client certificate names, or null when none was presented. The
   * handshake verified the chain; the certificate is read once per TLS session.
   */
  public static PeerIdentity of(Request request) {
    if (!(request.getAttribute(EndPoint.SslSessionData.ATTRIBUTE)
        instanceof EndPoint.SslSessionData tls)) {
      return null;
    }
    X509Certificate[] chain = tls.peerCertificates();
    if (chain == null || chain.length == 0) {
      return null;
    }
    SSLSession session = tls.sslSession();
    if (session != null && session.getValue(PEER_KEY) instanceof PeerIdentity cached) {
      return cached;
    }
    PeerIdentity peer = PeerIdentity.of(chain[0]);
    if (session != null) {
      session.putValue(PEER_KEY, peer);
    }
    return peer;
  }
}

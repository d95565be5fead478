package io.vmagent.backend.auth;

import io.vmagent.protocol.ProtocolPaths;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * Who a TLS client certificate names: an agent ({@code urn:vm-agent:agent:ID}, or the common name
 * of a certificate from an operator's own PKI without that URI) or an operator ({@code
 * urn:vm-agent:operator:NAME}); with its key and validity, read once per TLS session.
 *
 * @param role what the certificate may act as
 * @param name the agent id or operator name
 * @param publicKey base64 of its public key's DER form (compared with an agent's bound key)
 * @param notAfter when it expires
 * @param fleetIssued whether it names its role with a URI SAN, as the fleet CA's certificates do
 */
public record PeerIdentity(
    Role role, String name, String publicKey, Instant notAfter, boolean fleetIssued) {

  /**
   * What a certificate may act as; agent and operator certificates never stand in for each other.
   */
  public enum Role {
    AGENT,
    OPERATOR
  }

  private static final int URI_NAME = 6;

  /** The identity a verified client certificate carries. */
  public static PeerIdentity of(X509Certificate certificate) {
    String key = AgentKeys.encode(certificate.getPublicKey());
    Instant notAfter = certificate.getNotAfter().toInstant();
    for (String uri : uris(certificate)) {
      if (uri.startsWith(ProtocolPaths.OPERATOR_URI_PREFIX)) {
        return new PeerIdentity(
            Role.OPERATOR,
            uri.substring(ProtocolPaths.OPERATOR_URI_PREFIX.length()),
            key,
            notAfter,
            true);
      }
      if (uri.startsWith(ProtocolPaths.AGENT_URI_PREFIX)) {
        return new PeerIdentity(
            Role.AGENT,
            uri.substring(ProtocolPaths.AGENT_URI_PREFIX.length()),
            key,
            notAfter,
            true);
      }
    }
    return new PeerIdentity(Role.AGENT, commonName(certificate), key, notAfter, false);
  }

  /**
   * Whether this certificate proves possession of {@code boundKey} for {@code agentId}: an
   * unexpired agent certificate of the fleet CA, naming that agent, for that key.
   */
  public boolean provesKeyOf(String agentId, String boundKey, Instant now) {
    return role == Role.AGENT
        && fleetIssued
        && name.equals(agentId)
        && publicKey.equals(boundKey)
        && !expired(now);
  }

  /**
   * Whether the certificate is past its end at {@code now} (a long-lived connection outlives it).
   */
  public boolean expired(Instant now) {
    return !now.isBefore(notAfter);
  }

  private static List<String> uris(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return List.of();
      }
      return names.stream()
          .filter(n -> n.size() == 2 && Integer.valueOf(URI_NAME).equals(n.get(0)))
          .map(n -> String.valueOf(n.get(1)))
          .toList();
    } catch (CertificateParsingException e) {
      return List.of();
    }
  }

  private static String commonName(X509Certificate certificate) {
    try {
      LdapName name = new LdapName(certificate.getSubjectX500Principal().getName());
      for (Rdn rdn : name.getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          return String.valueOf(rdn.getValue());
        }
      }
    } catch (InvalidNameException e) {
      // No parseable subject: the certificate names nobody, and matches no agent.
    }
    return "";
  }
}

package io.vmagent.backend.tls;

import io.vmagent.backend.config.BackendConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The key stores of the HTTPS endpoint: the server certificate (the operator's own, or one from the
 * development CA, renewed when it nears expiry) and the CA that client certificates must chain to.
 */
public final class TlsMaterial {
  private static final char[] STORE_PASSWORD = "in-memory".toCharArray();
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private final KeyStore keyStore;
  private final KeyStore trustStore;
  private final DevCertificateAuthority authority;

  private TlsMaterial(KeyStore keyStore, KeyStore trustStore, DevCertificateAuthority authority) {
    this.keyStore = keyStore;
    this.trustStore = trustStore;
    this.authority = authority;
  }

  /**
   * Loads or creates the server certificate under {@code DATA_DIR/tls}, issued by the fleet's
   * {@code authority}, which every client certificate may chain to as well.
   */
  public static TlsMaterial loadOrCreate(BackendConfig config, DevCertificateAuthority authority)
      throws IOException {
    Path tlsDir = config.dataDir().resolve("tls");
    List<X509Certificate> chain;
    PrivateKey key;
    if (config.tlsCertificatePath() != null) {
      chain = Pem.readCertificates(config.tlsCertificatePath());
      key = Pem.readPrivateKey(config.tlsKeyPath());
    } else {
      Path certPath = tlsDir.resolve("server.pem");
      Path keyPath = tlsDir.resolve("server-key.pem");
      Set<String> names = subjectNames(config);
      if (needsNewServerCertificate(certPath, keyPath, names, authority.certificate())) {
        authority.issueServer("vm-backend", names).write(certPath, keyPath);
      }
      chain = Pem.readCertificates(certPath);
      key = Pem.readPrivateKey(keyPath);
    }
    // The fleet CA always: agents enroll themselves with it. An operator's own PKI comes on top.
    List<X509Certificate> clientCas = new ArrayList<>(List.of(authority.certificate()));
    if (config.clientCaPath() != null) {
      clientCas.addAll(Pem.readCertificates(config.clientCaPath()));
    }
    try {
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      keyStore.load(null, null);
      keyStore.setKeyEntry("server", key, STORE_PASSWORD, chain.toArray(new X509Certificate[0]));
      KeyStore trustStore = KeyStore.getInstance("PKCS12");
      trustStore.load(null, null);
      for (int i = 0; i < clientCas.size(); i++) {
        trustStore.setCertificateEntry("client-ca-" + i, clientCas.get(i));
      }
      return new TlsMaterial(keyStore, trustStore, authority);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot build the TLS key stores", e);
    }
  }

  private static Set<String> subjectNames(BackendConfig config) {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
    try {
      names.add(InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      // A host without a resolvable name still serves localhost; nothing else to add.
    }
    if (!config.host().equals("0.0.0.0") && !config.host().equals("::")) {
      names.add(config.host());
    }
    names.addAll(config.subjectAltNames());
    return names;
  }

  private static boolean needsNewServerCertificate(
      Path cert, Path key, Set<String> names, X509Certificate issuer) throws IOException {
    if (!Files.exists(cert) || !Files.exists(key)) {
      return true;
    }
    X509Certificate current = Pem.readCertificates(cert).get(0);
    if (current.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE))) {
      return true;
    }
    try {
      // Another instance's CA was adopted through the database: the old one's server
      // certificate would not be trusted by agents that trust the fleet CA.
      current.verify(issuer.getPublicKey());
    } catch (GeneralSecurityException e) {
      return true;
    }
    try {
      Set<String> present = new LinkedHashSet<>();
      if (current.getSubjectAlternativeNames() != null) {
        for (List<?> entry : current.getSubjectAlternativeNames()) {
          present.add(String.valueOf(entry.get(1)));
        }
      }
      for (String name : names) {
        if (!present.contains(name)
            && !(name.equals("::1") && present.contains("0:0:0:0:0:0:0:1"))) {
          return true;
        }
      }
      return false;
    } catch (GeneralSecurityException e) {
      return true;
    }
  }

  /** The server's key and chain. */
  public KeyStore keyStore() {
    return keyStore;
  }

  /** The password of {@link #keyStore()} (an in-memory store; the password protects nothing). */
  public String keyStorePassword() {
    return new String(STORE_PASSWORD);
  }

  /** The CAs client certificates must chain to. */
  public KeyStore trustStore() {
    return trustStore;
  }

  /** The development CA. */
  public DevCertificateAuthority authority() {
    return authority;
  }
}

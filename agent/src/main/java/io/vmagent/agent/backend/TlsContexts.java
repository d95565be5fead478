package io.vmagent.agent.backend;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Builds the {@link SSLContext} of the backend client: the CAs of {@code AGENT_SSL_CA_PATH}, or the
 * system trust store when it is not set, the client certificate and key for mutual TLS, or
 * (verification off) a trust manager that accepts any certificate and any host name.
 */
public final class TlsContexts {
  private static final Duration EXPIRY_WARNING = Duration.ofDays(30);

  private TlsContexts() {}

  /**
   * The agent's key with the certificate the backend issued for it.
   *
   * @param key the agent's key
   * @param chain the certificate first, then its issuers
   */
  public record ClientIdentity(AgentKey key, List<X509Certificate> chain) {}

  /** The context for these settings; every problem names the file at fault. */
  public static SSLContext create(TlsSettings settings) throws IOException {
    return create(settings, null);
  }

  /**
   * The context for these settings, presenting {@code issued} when no client certificate is
   * configured (a configured one takes precedence).
   */
  public static SSLContext create(TlsSettings settings, ClientIdentity issued) throws IOException {
    try {
      TrustManager[] trust =
          settings.verify()
              ? new TrustManager[] {trustManager(settings.caPath().orElse(null))}
              : new TrustManager[] {new TrustEverything()};
      KeyManager[] keys =
          settings.mutual()
              ? keyManagers(settings.certPath().orElseThrow(), settings.keyPath().orElseThrow())
              : issued == null ? null : keyManagers(issued.key().privateKey(), issued.chain());
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS set-up failed: " + e.getMessage(), e);
    }
  }

  /**
   * What a context for these settings trusts and presents, in words for {@code vm-agent config
   * check}, after building one (so every problem {@link #create} would meet is met here first).
   * Lines starting with {@code warning:} flag certificates expired or expiring within 30 days.
   */
  public static List<String> describe(TlsSettings settings, Instant now) throws IOException {
    create(settings);
    List<String> lines = new ArrayList<>();
    if (!settings.verify()) {
      lines.add("TLS: the backend's certificate is NOT verified (AGENT_SSL_VERIFY=false)");
    } else if (settings.caPath().isPresent()) {
      Path caPath = settings.caPath().get();
      List<X509Certificate> cas = PemFiles.certificates(caPath);
      lines.add(
          "TLS: trusts only the "
              + cas.size()
              + " CA certificate"
              + (cas.size() == 1 ? "" : "s")
              + " in "
              + caPath);
      cas.forEach(ca -> expiry("CA certificate", ca, caPath, now).ifPresent(lines::add));
    } else {
      lines.add("TLS: trusts the system's CA store");
    }
    if (settings.mutual()) {
      Path certPath = settings.certPath().orElseThrow();
      X509Certificate client = PemFiles.certificates(certPath).get(0);
      lines.add(
          "TLS: presents the client certificate "
              + client.getSubjectX500Principal().getName()
              + " ("
              + client.getPublicKey().getAlgorithm()
              + " key) from "
              + certPath
              + ", valid until "
              + client.getNotAfter().toInstant());
      expiry("client certificate", client, certPath, now).ifPresent(lines::add);
    }
    return lines;
  }

  /**
   * What {@code vm-agent config check} says of the certificate the backend issued for the agent's
   * key (kept in {@code stateDir}), which it presents when no certificate is configured.
   */
  public static List<String> describeIssued(TlsSettings settings, Path stateDir, Instant now)
      throws IOException {
    Path file = stateDir.resolve(Enrollment.CERTIFICATE_FILE);
    boolean exists = java.nio.file.Files.exists(file);
    if (settings.mutual()) {
      return exists
          ? List.of(
              "TLS: the configured client certificate takes precedence over the one issued"
                  + " at enrollment ("
                  + file
                  + ")")
          : List.of();
    }
    if (!exists) {
      return List.of(
          "TLS: no client certificate yet; the agent generates its key ("
              + stateDir.resolve(AgentKey.FILE_NAME)
              + ") and gets one at its next registration"
              + " with a backend of protocol 2");
    }
    X509Certificate issued = PemFiles.certificates(file).get(0);
    List<String> lines = new ArrayList<>();
    lines.add(
        "TLS: presents the client certificate "
            + issued.getSubjectX500Principal().getName()
            + " issued for the agent's key at enrollment, from "
            + file
            + ", valid until "
            + issued.getNotAfter().toInstant()
            + " (renewed by the agent at two thirds of its life)");
    if (issued.getNotAfter().toInstant().isBefore(now)) {
      lines.add("TLS: it has expired; the agent registers again with its key when it starts");
    }
    return lines;
  }

  private static Optional<String> expiry(
      String what, X509Certificate certificate, Path file, Instant now) {
    Instant notAfter = certificate.getNotAfter().toInstant();
    String name = what + " " + certificate.getSubjectX500Principal().getName() + " in " + file;
    if (notAfter.isBefore(now)) {
      return Optional.of("warning: the " + name + " expired on " + notAfter);
    }
    if (certificate.getNotBefore().toInstant().isAfter(now)) {
      return Optional.of(
          "warning: the "
              + name
              + " is not valid before "
              + certificate.getNotBefore().toInstant());
    }
    if (notAfter.isBefore(now.plus(EXPIRY_WARNING))) {
      return Optional.of("warning: the " + name + " expires on " + notAfter);
    }
    return Optional.empty();
  }

  /**
   * The CA certificates a context for these settings trusts: those of {@code AGENT_SSL_CA_PATH}, or
   * the system store's; none when verification is off.
   */
  public static List<X509Certificate> trustedCertificates(TlsSettings settings) throws IOException {
    if (!settings.verify()) {
      return List.of();
    }
    try {
      return List.of(trustManager(settings.caPath().orElse(null)).getAcceptedIssuers());
    } catch (GeneralSecurityException e) {
      throw new IOException("TLS set-up failed: " + e.getMessage(), e);
    }
  }

  /**
   * A bundle given in {@code AGENT_SSL_CA_PATH} is the whole trust, as with curl's {@code --cacert}
   * and Python's {@code verify=path}: a backend behind a private CA cannot then be impersonated
   * with a certificate any public CA issued for its name. Without it, the system store.
   */
  static X509TrustManager trustManager(Path caPath) throws GeneralSecurityException, IOException {
    if (caPath == null) {
      return systemTrustManager();
    }
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    int n = 0;
    for (X509Certificate ca : PemFiles.certificates(caPath)) {
      store.setCertificateEntry("agent-ca-" + n++, ca);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    return firstX509(factory.getTrustManagers());
  }

  private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    return firstX509(factory.getTrustManagers());
  }

  private static X509TrustManager firstX509(TrustManager[] managers)
      throws GeneralSecurityException {
    for (TrustManager manager : managers) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("no X.509 trust manager available");
  }

  private static KeyManager[] keyManagers(Path certPath, Path keyPath)
      throws GeneralSecurityException, IOException {
    List<X509Certificate> chain = PemFiles.certificates(certPath);
    PrivateKey key = PemFiles.privateKey(keyPath);
    if (!chain.get(0).getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
      throw new IOException(
          keyPath
              + " holds a "
              + key.getAlgorithm()
              + " key but "
              + certPath
              + " certifies a "
              + chain.get(0).getPublicKey().getAlgorithm()
              + " key");
    }
    if (!signsFor(key, chain.get(0).getPublicKey())) {
      // Otherwise the backend refuses the handshake with no word on which file is wrong.
      throw new IOException(
          keyPath
              + " is not the key of the certificate in "
              + certPath
              + " (a key and certificate from different pairs?)");
    }
    return keyManagers(key, chain);
  }

  private static KeyManager[] keyManagers(PrivateKey key, List<X509Certificate> chain)
      throws GeneralSecurityException, IOException {
    char[] password = new char[0];
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    store.setKeyEntry("client", key, password, chain.toArray(new X509Certificate[0]));
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    return factory.getKeyManagers();
  }

  /**
   * Whether a signature made with {@code key} verifies with {@code certified}: one key pair. A key
   * type this does not know how to sign with is not judged here (the handshake will).
   */
  private static boolean signsFor(PrivateKey key, PublicKey certified)
      throws GeneralSecurityException {
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "Ed448", "EdDSA" -> key.getAlgorithm();
          default -> null;
        };
    if (algorithm == null) {
      return true;
    }
    byte[] probe = "vm-agent key check".getBytes(StandardCharsets.US_ASCII);
    Signature signer = Signature.getInstance(algorithm);
    signer.initSign(key);
    signer.update(probe);
    byte[] signature = signer.sign();
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(certified);
    verifier.update(probe);
    return verifier.verify(signature);
  }

  /**
   * Accepts every server certificate and host name: what {@code AGENT_SSL_VERIFY=false} asks for.
   * Being an extended trust manager, it also switches off JSSE's host-name check.
   */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}

package io.vmagent.backend.tls;

import io.vmagent.backend.config.BackendConfig;
import io.vmagent.backend.files.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which CA the fleet uses, so that every backend instance on one database issues and trusts
 * the same client certificates: the operator's own CA when {@code serve} is given one, else the
 * development CA that the first instance created and published in the database.
 */
public final class FleetAuthority {
  private static final Logger LOG = LoggerFactory.getLogger(FleetAuthority.class);

  /** Where instances share the development CA (the database). */
  public interface Shared {
    /** The published CA's certificate and key PEM, if any instance published one. */
    Optional<String[]> load() throws IOException;

    /** Publishes a CA; false when another instance published one first. */
    boolean publish(String certificatePem, String keyPem) throws IOException;
  }

  private FleetAuthority() {}

  /** The fleet's CA for this configuration. */
  public static DevCertificateAuthority resolve(BackendConfig config, Shared shared)
      throws IOException {
    Path tlsDir = config.dataDir().resolve("tls");
    SecureFiles.privateDirectory(tlsDir);
    if (config.caCertificatePath() != null) {
      return DevCertificateAuthority.of(
          Pem.readCertificates(config.caCertificatePath()).get(0),
          Pem.readPrivateKey(config.caKeyPath()),
          config.caCertificatePath());
    }
    DevCertificateAuthority local = DevCertificateAuthority.loadOrCreate(tlsDir);
    Optional<String[]> published = shared.load();
    if (published.isEmpty()) {
      if (shared.publish(local.certificatePem(), local.keyPem())) {
        return local;
      }
      published = shared.load();
    }
    String[] pem = published.orElseThrow(() -> new IOException("the fleet CA vanished"));
    if (pem[0].equals(local.certificatePem())) {
      return local;
    }
    // Another instance created the fleet CA first: adopt it, so its certificates are trusted here
    // and ours there, and DATA_DIR/tls/ca.pem of any instance is the one agents need.
    SecureFiles.writeSecret(
        tlsDir.resolve("ca-key.pem"), pem[1].getBytes(StandardCharsets.US_ASCII));
    SecureFiles.writePublic(tlsDir.resolve("ca.pem"), pem[0].getBytes(StandardCharsets.US_ASCII));
    LOG.info("using the fleet CA another instance published in the database ({})", tlsDir);
    return DevCertificateAuthority.loadOrCreate(tlsDir);
  }
}

package io.vmagent.backend.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * The operator certificate a backend keeps in {@code DATA_DIR/tls} for the command line on its own
 * machine, as it keeps the operator token: {@code vm-backend --data-dir DIR} presents it by itself,
 * so operator commands work against {@code --client-auth required} with no set-up.
 */
public final class OperatorCertificate {
  /** The certificate's file name in {@code DATA_DIR/tls}. */
  public static final String CERTIFICATE_FILE = "operator.pem";

  /** The key's file name in {@code DATA_DIR/tls} (0600). */
  public static final String KEY_FILE = "operator-key.pem";

  /** The local operator's name in its certificate. */
  public static final String LOCAL_OPERATOR = "local";

  private static final Duration LIFETIME = Duration.ofDays(397);
  private static final Duration RENEW_BEFORE = Duration.ofDays(30);

  private OperatorCertificate() {}

  /** Issues the certificate when it is missing, expires within 30 days or is from another CA. */
  public static void ensure(Path tlsDir, DevCertificateAuthority authority) throws IOException {
    Path certificate = tlsDir.resolve(CERTIFICATE_FILE);
    Path key = tlsDir.resolve(KEY_FILE);
    if (Files.exists(certificate) && Files.exists(key) && current(certificate, authority)) {
      return;
    }
    authority.issueOperator(LOCAL_OPERATOR, LIFETIME).write(certificate, key);
  }

  private static boolean current(Path file, DevCertificateAuthority authority) throws IOException {
    X509Certificate certificate = Pem.readCertificates(file).get(0);
    try {
      certificate.verify(authority.certificate().getPublicKey());
    } catch (GeneralSecurityException e) {
      return false;
    }
    return certificate.getNotAfter().toInstant().isAfter(Instant.now().plus(RENEW_BEFORE));
  }
}

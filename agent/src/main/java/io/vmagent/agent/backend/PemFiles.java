package io.vmagent.agent.backend;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads PEM certificates and private keys: RSA and EC keys in PKCS#1 ({@code RSA PRIVATE KEY}),
 * SEC1 ({@code EC PRIVATE KEY}, with or without an {@code EC PARAMETERS} block) and PKCS#8 ({@code
 * PRIVATE KEY}) forms. Error messages name the file, never its content.
 */
public final class PemFiles {
  private PemFiles() {}

  /** Every certificate in a PEM file, in file order. */
  public static List<X509Certificate> certificates(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return certificates(in, file.toString());
    }
  }

  /**
   * Every certificate in PEM text (an answer of the backend); {@code source} names it in errors.
   */
  public static List<X509Certificate> certificates(String pem, String source) throws IOException {
    return certificates(
        new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)), source);
  }

  private static List<X509Certificate> certificates(InputStream in, String source)
      throws IOException {
    try {
      List<X509Certificate> certificates = new ArrayList<>();
      for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        certificates.add((X509Certificate) certificate);
      }
      if (certificates.isEmpty()) {
        throw new IOException(source + " holds no PEM certificate");
      }
      return certificates;
    } catch (CertificateException e) {
      throw new IOException(source + " is not a PEM certificate file: " + e.getMessage(), e);
    }
  }

  /** The one private key in a PEM file. */
  public static PrivateKey privateKey(Path file) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.US_ASCII);
        PEMParser parser = new PEMParser(reader)) {
      Object object;
      while ((object = parser.readObject()) != null) {
        if (object instanceof PEMKeyPair pair) {
          // Only the private part: a SEC1 key may omit its public key.
          return converter.getPrivateKey(pair.getPrivateKeyInfo());
        }
        if (object instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (object instanceof PEMEncryptedKeyPair
            || object instanceof PKCS8EncryptedPrivateKeyInfo) {
          throw new IOException(
              file + " holds an encrypted private key; the agent needs it unencrypted (mode 0600)");
        }
        // Anything else (a certificate in the same file, EC PARAMETERS parsed as an OID) is
        // skipped.
      }
    } catch (IOException e) {
      throw new IOException(file + " cannot be read as a PEM private key: " + e.getMessage(), e);
    }
    throw new IOException(
        file + " holds no private key (expected RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)");
  }
}

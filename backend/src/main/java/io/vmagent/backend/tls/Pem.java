package io.vmagent.backend.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Reads and writes certificates and PKCS#8 private keys as PEM. */
public final class Pem {
  private Pem() {}

  /** PEM text of the certificates, in order. */
  public static String certificates(List<X509Certificate> certificates) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate certificate : certificates) {
        writer.writeObject(certificate);
      }
    }
    return out.toString();
  }

  /** PEM text of the key as unencrypted PKCS#8 ("PRIVATE KEY"). */
  public static String privateKey(PrivateKey key) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    }
    return out.toString();
  }

  /** Every certificate in a PEM file, in order. */
  public static List<X509Certificate> readCertificates(Path file) throws IOException {
    return parseCertificates(read(file), file.toString());
  }

  /** Every certificate in PEM text, in order; {@code source} names it in errors. */
  public static List<X509Certificate> parseCertificates(String text, String source)
      throws IOException {
    List<X509Certificate> certificates = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object item;
      while ((item = parser.readObject()) != null) {
        if (item instanceof X509CertificateHolder holder) {
          certificates.add(converter.getCertificate(holder));
        }
      }
    } catch (CertificateException e) {
      throw new IOException(source + " holds a broken certificate", e);
    }
    if (certificates.isEmpty()) {
      throw new IOException(source + " holds no PEM certificate");
    }
    return certificates;
  }

  /** The private key in a PEM file (PKCS#8, or a traditional EC/RSA key). */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    return parsePrivateKey(read(file), file.toString());
  }

  /** The private key in PEM text; {@code source} names it in errors. */
  public static PrivateKey parsePrivateKey(String text, String source) throws IOException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object item;
      while ((item = parser.readObject()) != null) {
        if (item instanceof PrivateKeyInfo info) {
          return converter.getPrivateKey(info);
        }
        if (item instanceof PEMKeyPair pair) {
          return converter.getKeyPair(pair).getPrivate();
        }
      }
    }
    throw new IOException(source + " holds no unencrypted PEM private key");
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.US_ASCII);
  }
}

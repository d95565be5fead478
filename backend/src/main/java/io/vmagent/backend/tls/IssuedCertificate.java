package io.vmagent.backend.tls;

import io.vmagent.backend.files.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * A certificate chain (leaf first) with its private key.
 *
 * @param chain the leaf certificate followed by its issuers
 * @param key the leaf's private key
 */
public record IssuedCertificate(List<X509Certificate> chain, PrivateKey key) {

  /** Writes the chain to {@code certificateFile} (0644) and the key to {@code keyFile} (0600). */
  public void write(Path certificateFile, Path keyFile) throws IOException {
    SecureFiles.writeSecret(keyFile, Pem.privateKey(key).getBytes(StandardCharsets.US_ASCII));
    SecureFiles.writePublic(
        certificateFile, Pem.certificates(chain).getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public String toString() {
    return "IssuedCertificate[" + chain.get(0).getSubjectX500Principal() + "]";
  }
}

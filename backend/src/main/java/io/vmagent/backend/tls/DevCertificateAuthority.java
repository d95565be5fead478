package io.vmagent.backend.tls;

import io.vmagent.backend.files.SecureFiles;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The fleet's certificate authority: the development CA kept in {@code DATA_DIR/tls} (a P-256 CA
 * whose certificate, {@code ca.pem}, agents trust) or the operator's own CA. It signs the backend's
 * server certificate and the client certificates of agents and operators.
 */
public final class DevCertificateAuthority {
  private static final Duration CA_LIFETIME = Duration.ofDays(3650);
  private static final Duration LEAF_LIFETIME = Duration.ofDays(397);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Path certificatePath;

  private DevCertificateAuthority(X509Certificate certificate, PrivateKey key, Path path) {
    this.certificate = certificate;
    this.key = key;
    this.certificatePath = path;
  }

  /**
   * A CA from a certificate and its key (the operator's own, or one shared through the database).
   */
  public static DevCertificateAuthority of(
      X509Certificate certificate, PrivateKey key, Path certificatePath) {
    return new DevCertificateAuthority(certificate, key, certificatePath);
  }

  /** Loads the CA from {@code tlsDir}, creating it on first start. */
  public static DevCertificateAuthority loadOrCreate(Path tlsDir) throws IOException {
    SecureFiles.privateDirectory(tlsDir);
    Path certPath = tlsDir.resolve("ca.pem");
    Path keyPath = tlsDir.resolve("ca-key.pem");
    if (Files.exists(certPath) && Files.exists(keyPath)) {
      return new DevCertificateAuthority(
          Pem.readCertificates(certPath).get(0), Pem.readPrivateKey(keyPath), certPath);
    }
    KeyPair pair = newKeyPair();
    X500Name name = name("vm-backend development CA");
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  name,
                  serial(),
                  Date.from(now.minus(ProtocolPaths.CERTIFICATE_BACKDATE)),
                  Date.from(now.plus(CA_LIFETIME)),
                  name,
                  pair.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate certificate = sign(builder, pair.getPrivate());
      SecureFiles.writeSecret(keyPath, bytes(Pem.privateKey(pair.getPrivate())));
      SecureFiles.writePublic(certPath, bytes(Pem.certificates(List.of(certificate))));
      return new DevCertificateAuthority(certificate, pair.getPrivate(), certPath);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot create the development CA", e);
    }
  }

  /** The CA certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Where the CA certificate is written ({@code DATA_DIR/tls/ca.pem}). */
  public Path certificatePath() {
    return certificatePath;
  }

  /** A server certificate for these DNS names and IP addresses. */
  public IssuedCertificate issueServer(String commonName, Set<String> subjectAltNames)
      throws IOException {
    return issue(commonName, subjectAltNames, KeyPurposeId.id_kp_serverAuth);
  }

  /**
   * A client certificate with a new key for an agent provisioned by hand, its common name the agent
   * id. It carries no role URI, as a certificate of an operator's own PKI would not: it is held to
   * the agent it names, not to the key the agent's id is bound to.
   */
  public IssuedCertificate issueClient(String commonName) throws IOException {
    return issue(commonName, Set.of(), KeyPurposeId.id_kp_clientAuth);
  }

  /**
   * An agent's client certificate for its own key: the agent id as common name and as the URI SAN
   * {@code urn:vm-agent:agent:ID}, which is what makes it an agent's and not an operator's.
   */
  public List<X509Certificate> issueAgent(String agentId, PublicKey key, Duration lifetime)
      throws IOException {
    return List.of(
        sign(agentId, "agent", key, lifetime, ProtocolPaths.AGENT_URI_PREFIX + agentId),
        certificate);
  }

  /** An operator's client certificate with a new key ({@code urn:vm-agent:operator:NAME}). */
  public IssuedCertificate issueOperator(String name, Duration lifetime) throws IOException {
    KeyPair pair = newKeyPair();
    return new IssuedCertificate(
        List.of(
            sign(
                name,
                "operator",
                pair.getPublic(),
                lifetime,
                ProtocolPaths.OPERATOR_URI_PREFIX + name),
            certificate),
        pair.getPrivate());
  }

  /** The CA's key in PEM, to share it with other instances through the database. */
  public String keyPem() throws IOException {
    return Pem.privateKey(key);
  }

  /** The CA's certificate in PEM. */
  public String certificatePem() throws IOException {
    return Pem.certificates(List.of(certificate));
  }

  private X509Certificate sign(
      String commonName, String role, PublicKey subjectKey, Duration lifetime, String uri)
      throws IOException {
    // Back-dated by hours (CERTIFICATE_BACKDATE) so a peer whose clock is behind the issuer's, an
    // agent on a host without NTP say, still accepts it.
    X500Name subject =
        new X500NameBuilder(BCStyle.INSTANCE)
            .addRDN(BCStyle.O, "vm-agent")
            .addRDN(BCStyle.OU, role)
            .addRDN(BCStyle.CN, commonName)
            .build();
    return leaf(
        subject,
        subjectKey,
        ProtocolPaths.CERTIFICATE_BACKDATE,
        lifetime,
        KeyPurposeId.id_kp_clientAuth,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
  }

  private IssuedCertificate issue(String commonName, Set<String> altNames, KeyPurposeId purpose)
      throws IOException {
    KeyPair pair = newKeyPair();
    List<GeneralName> names = new ArrayList<>();
    for (String altName : new LinkedHashSet<>(altNames)) {
      names.add(
          isIpAddress(altName)
              ? new GeneralName(GeneralName.iPAddress, altName)
              : new GeneralName(GeneralName.dNSName, altName));
    }
    X509Certificate leaf =
        leaf(
            name(commonName),
            pair.getPublic(),
            ProtocolPaths.CERTIFICATE_BACKDATE,
            LEAF_LIFETIME,
            purpose,
            names);
    return new IssuedCertificate(List.of(leaf, certificate), pair.getPrivate());
  }

  /** A certificate this CA signs for {@code subjectKey}: an end entity for one purpose. */
  private X509Certificate leaf(
      X500Name subject,
      PublicKey subjectKey,
      Duration backdate,
      Duration lifetime,
      KeyPurposeId purpose,
      List<GeneralName> altNames)
      throws IOException {
    Instant now = Instant.now();
    try {
      JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
                  certificate,
                  serial(),
                  Date.from(now.minus(backdate)),
                  Date.from(now.plus(lifetime)),
                  subject,
                  subjectKey)
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  extensions.createAuthorityKeyIdentifier(certificate))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  extensions.createSubjectKeyIdentifier(subjectKey));
      if (!altNames.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(altNames.toArray(new GeneralName[0])));
      }
      return sign(builder, key);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot issue a certificate for " + subject, e);
    }
  }

  private static boolean isIpAddress(String name) {
    if (name.contains(":")) {
      return true;
    }
    if (!name.matches("[0-9.]+")) {
      return false;
    }
    try {
      return InetAddress.getByName(name) != null;
    } catch (IOException e) {
      return false;
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(
              builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException("cannot create a certificate signer", e);
    }
  }

  private static KeyPair newKeyPair() throws IOException {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IOException("the JDK cannot generate P-256 keys", e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "vm-agent")
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}

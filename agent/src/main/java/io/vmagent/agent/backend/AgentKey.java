package io.vmagent.agent.backend;

import io.vmagent.agent.state.StateDir;
import io.vmagent.protocol.IdentityProof;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host's lasting credential: an EC P-256 key pair the agent generates once into {@code
 * STATE_DIR/agent-key.pem} (mode 0600). Its public half is sent at registration and the backend
 * binds the agent id to it; the private half never leaves the file, and is only used to sign
 * challenges and as the key of the agent's client certificate. {@link #toString()} shows nothing.
 */
public final class AgentKey {
  /** The file's name inside the state directory. */
  public static final String FILE_NAME = "agent-key.pem";

  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private final PrivateKey privateKey;
  private final PublicKey publicKey;

  private AgentKey(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey;
  }

  /** The key kept in {@code stateDir}, generated and written there (0600) on first use. */
  public static AgentKey loadOrCreate(Path stateDir) throws IOException {
    Path file = stateDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      return read(file);
    }
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      KeyPair pair = generator.generateKeyPair();
      String pem =
          block("PRIVATE KEY", pair.getPrivate().getEncoded())
              + block("PUBLIC KEY", pair.getPublic().getEncoded());
      StateDir.writeAtomically(file, pem.getBytes(StandardCharsets.US_ASCII));
      return new AgentKey(pair.getPrivate(), pair.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IOException("the JDK cannot generate an EC P-256 key", e);
    }
  }

  /** Whether the state directory holds a key (a registration with it may need a proof). */
  public static boolean exists(Path stateDir) {
    return Files.exists(stateDir.resolve(FILE_NAME));
  }

  private static AgentKey read(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    byte[] privateDer = null;
    byte[] publicDer = null;
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      byte[] der = Base64.getMimeDecoder().decode(m.group(2));
      if (m.group(1).equals("PRIVATE KEY")) {
        privateDer = der;
      } else if (m.group(1).equals("PUBLIC KEY")) {
        publicDer = der;
      }
    }
    if (privateDer == null || publicDer == null) {
      // Never quote the file: it holds the key.
      throw new IOException(
          file
              + " is not the agent's key file (it needs a PRIVATE KEY and a PUBLIC KEY block);"
              + " move it away to make a new key, then have an operator run 'vm-backend agents"
              + " reset AGENT_ID'");
    }
    try {
      KeyFactory factory = KeyFactory.getInstance("EC");
      AgentKey key =
          new AgentKey(
              factory.generatePrivate(new PKCS8EncodedKeySpec(privateDer)),
              factory.generatePublic(new X509EncodedKeySpec(publicDer)));
      if (!key.verifies(key.sign("vm-agent key check"), "vm-agent key check")) {
        throw new IOException(file + " holds a private and a public key of different pairs");
      }
      return key;
    } catch (GeneralSecurityException e) {
      throw new IOException(
          file + " holds a key the agent cannot read (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static String block(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  /** The public key as the protocol carries it: base64 of its DER SubjectPublicKeyInfo. */
  public String publicKeyBase64() {
    return Base64.getEncoder().encodeToString(publicKey.getEncoded());
  }

  /** The public key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The private key, for the client certificate's key manager only. */
  PrivateKey privateKey() {
    return privateKey;
  }

  /** The proof of possession over a backend's challenge for this agent id. */
  public IdentityProof prove(String agentId, String challenge) throws IOException {
    return new IdentityProof(challenge, sign(IdentityProof.signedText(agentId, challenge)));
  }

  private String sign(String text) throws IOException {
    try {
      Signature signer = Signature.getInstance(IdentityProof.ALGORITHM);
      signer.initSign(privateKey);
      signer.update(text.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot sign with the agent's key", e);
    }
  }

  private boolean verifies(String signature, String text) throws GeneralSecurityException {
    Signature verifier = Signature.getInstance(IdentityProof.ALGORITHM);
    verifier.initVerify(publicKey);
    verifier.update(text.getBytes(StandardCharsets.UTF_8));
    return verifier.verify(Base64.getDecoder().decode(signature));
  }

  @Override
  public String toString() {
    return "AgentKey[EC P-256]";
  }
}

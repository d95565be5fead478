package io.vmagent.backend.auth;

import io.vmagent.protocol.IdentityProof;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Agents' public keys as the protocol carries them (base64 of the DER SubjectPublicKeyInfo of an EC
 * P-256 key), their fingerprints, and the check of a proof of possession.
 */
public final class AgentKeys {
  private static final int P256_FIELD_BITS = 256;

  private AgentKeys() {}

  /** The key, when the text is a well-formed EC P-256 public key; empty otherwise. */
  public static Optional<PublicKey> parse(String base64) {
    if (base64 == null) {
      return Optional.empty();
    }
    try {
      byte[] der = Base64.getDecoder().decode(base64);
      PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
      if (key instanceof ECPublicKey ec
          && ec.getParams().getCurve().getField().getFieldSize() == P256_FIELD_BITS
          && Arrays.equals(key.getEncoded(), der)) {
        return Optional.of(key);
      }
      return Optional.empty();
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      return Optional.empty();
    }
  }

  /** The key in the protocol's form. */
  public static String encode(PublicKey key) {
    return Base64.getEncoder().encodeToString(key.getEncoded());
  }

  /** SHA-256 of the key's DER form, first 16 bytes in hex: what operators compare. */
  public static String fingerprint(String base64) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(base64));
      return HexFormat.ofDelimiter(":").formatHex(digest, 0, 16);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return "unreadable";
    }
  }

  /** Whether {@code proof} is a signature with {@code key} over the challenge for this agent. */
  public static boolean verifies(PublicKey key, String agentId, IdentityProof proof) {
    try {
      Signature verifier = Signature.getInstance(IdentityProof.ALGORITHM);
      verifier.initVerify(key);
      verifier.update(
          IdentityProof.signedText(agentId, proof.challenge()).getBytes(StandardCharsets.UTF_8));
      return verifier.verify(Base64.getDecoder().decode(proof.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }
}

package io.vmagent.protocol;

/**
 * Proof that the caller holds an agent's key: its signature over a fresh, single-use challenge from
 * {@link ProtocolPaths#CHALLENGE}. What is signed is {@link #signedText}.
 *
 * @param challenge the challenge as the backend issued it
 * @param signature base64 of the ECDSA (SHA-256, DER) signature over {@link #signedText}
 */
public record IdentityProof(String challenge, String signature) {
  /** The signature algorithm, in JCA names. */
  public static final String ALGORITHM = "SHA256withECDSA";

  /**
   * The exact text an agent signs: a fixed label, the agent id and the challenge, one per line, so
   * a signature for one agent or purpose is never valid for another.
   */
  public static String signedText(String agentId, String challenge) {
    return "vm-agent identity proof v1\n" + agentId + "\n" + challenge;
  }
}

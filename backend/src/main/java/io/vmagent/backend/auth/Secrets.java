package io.vmagent.backend.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Random opaque tokens and the hashes they are stored as. */
public final class Secrets {
  private Secrets() {}

  private static final SecureRandom RANDOM = new SecureRandom();

  private static final String BEARER = "Bearer ";

  /** The bearer token of an {@code Authorization} header, or empty when there is none. */
  public static Optional<String> bearer(String header) {
    if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return Optional.empty();
    }
    String token = header.substring(BEARER.length()).trim();
    return token.isEmpty() || token.length() > 4096 ? Optional.empty() : Optional.of(token);
  }

  /** Prefix of bootstrap tokens (AGENT_TOKEN), so a leaked one is recognisable. */
  public static final String BOOTSTRAP_PREFIX = "vmb_";

  /** Prefix of refresh tokens. */
  public static final String REFRESH_PREFIX = "vmr_";

  /** Prefix of operator tokens. */
  public static final String OPERATOR_PREFIX = "vmo_";

  /** A new token: the prefix and 256 random bits, base64url. */
  public static String newToken(String prefix) {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The SHA-256 of a token, hex. The tokens are 256-bit random values, so a fast unsalted hash is
   * enough: there is nothing to brute-force.
   */
  public static String hash(String token) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}

package io.vmagent.backend.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.vmagent.backend.files.SecureFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;

/**
 * This instance's ES256 (P-256) key for signing access tokens, generated at first start and kept in
 * {@code DATA_DIR/keys/jwt-signing.jwk} (0600).
 */
public final class SigningKey {
  private final ECKey key;

  private SigningKey(ECKey key) {
    this.key = key;
  }

  /** Loads the key from the data directory, generating and saving one on first start. */
  public static SigningKey loadOrCreate(Path dataDir) throws IOException {
    Path file = SecureFiles.privateDirectory(dataDir.resolve("keys")).resolve("jwt-signing.jwk");
    if (Files.exists(file)) {
      try {
        ECKey key = ECKey.parse(Files.readString(file, StandardCharsets.UTF_8));
        if (!key.isPrivate()) {
          throw new IOException(file + " holds no private key");
        }
        return new SigningKey(key);
      } catch (ParseException e) {
        throw new IOException(file + " is not a JWK: " + e.getMessage(), e);
      }
    }
    try {
      ECKey key =
          new ECKeyGenerator(Curve.P_256)
              .keyUse(KeyUse.SIGNATURE)
              .algorithm(JWSAlgorithm.ES256)
              .keyIDFromThumbprint(true)
              .generate();
      SecureFiles.writeSecret(file, key.toJSONString().getBytes(StandardCharsets.UTF_8));
      return new SigningKey(key);
    } catch (JOSEException e) {
      throw new IOException("cannot generate the signing key", e);
    }
  }

  /** The private key, for signing. */
  ECKey privateKey() {
    return key;
  }

  /** The key id, carried in each token's header. */
  public String keyId() {
    return key.getKeyID();
  }

  /** The public half as a JWK JSON object, for the JWKS endpoint and other instances. */
  public String publicJwkJson() {
    return key.toPublicJWK().toJSONString();
  }
}

package io.vmagent.backend.auth;

import com.google.common.cache.Cache;
import com.google.common.cache.CacheBuilder;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vmagent.protocol.ProtocolPaths;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Issues and verifies the agents' short-lived access JWTs (ES256). Verification accepts a token
 * signed by any instance whose public key is published in the database, so instances sharing a
 * database accept each other's tokens.
 *
 * <p>A token whose signature verified is remembered until it expires, so an agent's requests with
 * the same token (about fifty in its ten minutes) pay for the ES256 verification once: it was more
 * than half the backend's CPU per request. Revocation does not depend on it: the caller checks the
 * agent and its token family against the database on every request.
 */
public final class AccessTokens {
  /** The issuer claim of every access token. */
  public static final String ISSUER = "vm-backend";

  /** The audience claim of every access token. */
  public static final String AUDIENCE = "vm-agent-api";

  private static final JOSEObjectType TYPE = new JOSEObjectType("at+jwt");
  private static final String FAMILY_CLAIM = "fam";
  // Several tokens per agent for 5,000 agents (an agent holds one at a time; a refresh makes a
  // second); a token pushed out is verified again, nothing more.
  private static final int VERIFIED_CAPACITY = 20_000;

  private final SigningKey signingKey;
  private final ECDSASigner signer;
  private final Function<String, Optional<String>> publicKeyLookup;
  private final Map<String, ECDSAVerifier> verifiers = new ConcurrentHashMap<>();
  // Keyed by the token's SHA-256, so the map holds no usable token.
  private final Cache<String, Verified> verified =
      CacheBuilder.newBuilder().maximumSize(VERIFIED_CAPACITY).build();
  private final Duration ttl;
  private final Clock clock;

  /**
   * Tokens signed with this key, living {@code ttl}; {@code publicKeyLookup} finds a public JWK
   * (JSON) by key id.
   */
  public AccessTokens(
      SigningKey signingKey,
      Function<String, Optional<String>> publicKeyLookup,
      Duration ttl,
      Clock clock) {
    this.signingKey = signingKey;
    this.publicKeyLookup = publicKeyLookup;
    this.ttl = ttl;
    this.clock = clock;
    try {
      this.signer = new ECDSASigner(signingKey.privateKey());
    } catch (JOSEException e) {
      throw new IllegalStateException("the signing key cannot sign", e);
    }
  }

  /** Signs a token for the agent within this refresh-token family. */
  public IssuedToken issue(String agentId, String familyId) {
    Instant now = clock.instant();
    // JWT times are whole seconds; the answer states the expiry the token really carries.
    Instant expires = now.plus(ttl).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(agentId)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(expires))
            .jwtID(UUID.randomUUID().toString())
            .claim(FAMILY_CLAIM, familyId)
            .build();
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signingKey.keyId()).type(TYPE).build(),
            claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign an access token", e);
    }
    String token = jwt.serialize();
    // This instance just signed it: its first use needs no ES256 verification (a registration
    // storm made one for every agent). Revocation is still checked on every request.
    verified.put(Secrets.hash(token), new Verified(new AgentPrincipal(agentId, familyId), expires));
    return new IssuedToken(token, expires);
  }

  /** A token that verified, and when it stops being valid. */
  private record Verified(AgentPrincipal principal, Instant expires) {}

  /** The agent the token names. */
  public AgentPrincipal verify(String token) throws InvalidTokenException {
    String key = Secrets.hash(token);
    Verified known = verified.getIfPresent(key);
    if (known != null) {
      if (known.expires().isAfter(clock.instant())) {
        return known.principal();
      }
      verified.invalidate(key);
    }
    Verified fresh = verifySignatureAndClaims(token);
    verified.put(key, fresh);
    return fresh.principal();
  }

  private Verified verifySignatureAndClaims(String token) throws InvalidTokenException {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw new InvalidTokenException("the access token is not a JWT");
    }
    JWSHeader header = jwt.getHeader();
    if (!JWSAlgorithm.ES256.equals(header.getAlgorithm()) || !TYPE.equals(header.getType())) {
      throw new InvalidTokenException("the access token is not an ES256 access token");
    }
    ECDSAVerifier verifier = verifier(header.getKeyID());
    try {
      if (!jwt.verify(verifier)) {
        throw new InvalidTokenException("the access token's signature does not verify");
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      if (!ISSUER.equals(claims.getIssuer()) || !List.of(AUDIENCE).equals(claims.getAudience())) {
        throw new InvalidTokenException("the access token was not issued for this API");
      }
      Date expires = claims.getExpirationTime();
      if (expires == null || !expires.toInstant().isAfter(clock.instant())) {
        throw new InvalidTokenException("the access token has expired; refresh it");
      }
      String agentId = claims.getSubject();
      String familyId = claims.getStringClaim(FAMILY_CLAIM);
      if (agentId == null
          || familyId == null
          || !ProtocolPaths.AGENT_ID_PATTERN.matcher(agentId).matches()) {
        throw new InvalidTokenException("the access token names no agent");
      }
      return new Verified(new AgentPrincipal(agentId, familyId), expires.toInstant());
    } catch (JOSEException | ParseException e) {
      throw new InvalidTokenException("the access token cannot be verified");
    }
  }

  private ECDSAVerifier verifier(String keyId) throws InvalidTokenException {
    if (keyId == null) {
      throw new InvalidTokenException("the access token names no signing key");
    }
    ECDSAVerifier cached = verifiers.get(keyId);
    if (cached != null) {
      return cached;
    }
    String jwk =
        publicKeyLookup
            .apply(keyId)
            .orElseThrow(() -> new InvalidTokenException("the access token's key is unknown"));
    try {
      ECDSAVerifier verifier = new ECDSAVerifier(ECKey.parse(jwk).toECPublicKey());
      verifiers.put(keyId, verifier);
      return verifier;
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException("published signing key " + keyId + " is unusable", e);
    }
  }
}

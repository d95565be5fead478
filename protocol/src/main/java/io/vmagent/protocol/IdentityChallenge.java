package io.vmagent.protocol;

import java.time.Instant;

/**
 * A fresh challenge for a proof of possession ({@link IdentityProof}); usable once, until it
 * expires.
 *
 * @param challenge random text to sign
 * @param expiresAt when the backend stops accepting a proof over it
 */
public record IdentityChallenge(String challenge, Instant expiresAt) {}

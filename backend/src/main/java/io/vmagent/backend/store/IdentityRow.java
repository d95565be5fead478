package io.vmagent.backend.store;

import java.time.Instant;

/**
 * One row of the agent_identities table: the key an agent id is bound to.
 *
 * @param agentId the agent
 * @param publicKey base64 of the bound key's DER SubjectPublicKeyInfo; null when none is bound
 * @param keyBoundAt when the key was bound; null when none is
 * @param bootstrapTokenId the bootstrap token the agent last registered with; null when unknown
 * @param releasedAt when an operator released the identity; null when it is not released
 */
public record IdentityRow(
    String agentId,
    String publicKey,
    Instant keyBoundAt,
    String bootstrapTokenId,
    Instant releasedAt) {

  /** A row for an agent that has none yet: no key, not released. */
  public static IdentityRow unbound(String agentId) {
    return new IdentityRow(agentId, null, null, null, null);
  }

  /** Whether a key is bound, so registering this id again needs a proof with it. */
  public boolean bound() {
    return publicKey != null;
  }

  /** Whether an operator released the id for one registration with a bootstrap token. */
  public boolean released() {
    return releasedAt != null;
  }
}

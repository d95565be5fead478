package io.vmagent.backend.service;

import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.IdentityRow;
import io.vmagent.backend.store.IdentityStore;
import io.vmagent.backend.store.TokenStore;
import io.vmagent.protocol.AgentStatus;
import io.vmagent.protocol.ClientCertificate;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.IdentityChallenge;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The key each agent id is bound to: challenges for proving possession of it, client certificates
 * for it, and the operator's release of an id whose host lost its key.
 */
public final class IdentityService {
  private static final Logger LOG = LoggerFactory.getLogger(IdentityService.class);

  /** How long a challenge can be answered: a registration takes well under a second. */
  static final Duration CHALLENGE_LIFETIME = Duration.ofSeconds(60);

  /** Challenges kept per agent; older ones are dropped, so nobody can pile them up. */
  static final int CHALLENGES_KEPT = 4;

  private final Database database;
  private final AgentStore agents;
  private final TokenStore tokens;
  private final IdentityStore identities;
  private final CertificateIssuer certificates;
  private final AgentService agentService;
  private final Clock clock;

  /** A service over these stores. */
  public IdentityService(
      Database database,
      AgentStore agents,
      TokenStore tokens,
      IdentityStore identities,
      CertificateIssuer certificates,
      AgentService agentService,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.tokens = tokens;
    this.identities = identities;
    this.certificates = certificates;
    this.agentService = agentService;
    this.clock = clock;
  }

  /**
   * A fresh challenge. It is stored only for an agent whose id is bound to a key; the answer looks
   * the same for every id, so it tells nobody which ids exist, and stores nothing for unknown ones.
   */
  public IdentityChallenge challenge(String agentId) {
    Instant now = clock.instant();
    String challenge = Secrets.newToken("vmc_");
    Instant expires = now.plus(CHALLENGE_LIFETIME);
    database.inTransaction(
        "issue a challenge",
        c -> {
          Optional<AgentRow> agent = agents.find(c, agentId);
          boolean bound = identities.find(c, agentId).map(IdentityRow::bound).orElse(false);
          if (agent.isPresent() && !agent.get().revoked() && bound) {
            identities.addChallenge(
                c, agentId, Secrets.hash(challenge), expires, now, CHALLENGES_KEPT);
          }
          return null;
        });
    return new IdentityChallenge(challenge, expires);
  }

  /** A new certificate for the agent's bound key (the caller is that agent, authenticated). */
  public ClientCertificate certificate(String agentId) {
    IdentityRow identity =
        database
            .inTransaction("read an agent's key", c -> identities.find(c, agentId))
            .filter(IdentityRow::bound)
            .orElseThrow(
                () ->
                    new ApiException(
                        ErrorCode.CONFLICT,
                        "no key is bound to agent "
                            + agentId
                            + "; send its public key with a registration or refresh first"));
    return certificates.issue(agentId, identity.publicKey());
  }

  /**
   * Releases the agent's identity: its key is unbound and its tokens revoked at once (so its
   * certificates and tokens stop working), and the next registration with a bootstrap token binds
   * the key that registration presents, once.
   */
  public AgentStatus reset(String agentId) {
    Instant now = clock.instant();
    database.inTransaction(
        "reset an agent's identity",
        c -> {
          AgentRow agent =
              agents
                  .find(c, agentId)
                  .orElseThrow(() -> ApiException.notFound("no agent " + agentId));
          if (agent.revoked()) {
            throw new ApiException(
                ErrorCode.CONFLICT, "agent " + agentId + " is revoked; it cannot be reset");
          }
          IdentityRow old = identities.find(c, agentId).orElse(IdentityRow.unbound(agentId));
          identities.save(c, new IdentityRow(agentId, null, null, old.bootstrapTokenId(), now));
          tokens.revokeFamiliesOf(c, agentId, "identity-reset", now);
          return null;
        });
    LOG.warn(
        "identity of agent {} released by an operator: its tokens and certificates no longer"
            + " work, and its next registration with a bootstrap token binds a new key",
        agentId);
    return agentService.status(agentId);
  }
}

package io.vmagent.backend.service;

import io.vmagent.backend.auth.AccessTokens;
import io.vmagent.backend.auth.AgentKeys;
import io.vmagent.backend.auth.IssuedToken;
import io.vmagent.backend.auth.PeerIdentity;
import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.BootstrapTokenRow;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.IdentityRow;
import io.vmagent.backend.store.IdentityStore;
import io.vmagent.backend.store.MigrationStore;
import io.vmagent.backend.store.RefreshTokenRow;
import io.vmagent.backend.store.StorageException;
import io.vmagent.backend.store.TokenStore;
import io.vmagent.protocol.BootstrapTokenCheck;
import io.vmagent.protocol.BootstrapTokenCreated;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.ClientCertificate;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.TokenPair;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registration (bootstrap tokens, key-bound identities, proofs of possession), refresh-token
 * rotation with reuse detection, and the bootstrap tokens themselves.
 */
public final class RegistrationService {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationService.class);

  private final Database database;
  private final AgentStore agents;
  private final TokenStore tokens;
  private final IdentityStore identities;
  private final Authenticator auth;
  private final CertificateIssuer certificates;
  private final Throttles throttles;
  private final AccessTokens accessTokens;
  private final JsonCodec json;
  private final Duration refreshTtl;
  private final Duration defaultHeartbeatInterval;
  private final Clock clock;

  /**
   * A service over these stores, issuing refresh tokens that live {@code refreshTtl} and, to agents
   * that sent a key, client certificates.
   */
  private final MigrationStore migrationEndpoints = new MigrationStore();

  public RegistrationService(
      Database database,
      AgentStore agents,
      TokenStore tokens,
      IdentityStore identities,
      Authenticator auth,
      CertificateIssuer certificates,
      Throttles throttles,
      AccessTokens accessTokens,
      JsonCodec json,
      Duration refreshTtl,
      Duration defaultHeartbeatInterval,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.tokens = tokens;
    this.identities = identities;
    this.auth = auth;
    this.certificates = certificates;
    this.throttles = throttles;
    this.accessTokens = accessTokens;
    this.json = json;
    this.refreshTtl = refreshTtl;
    this.defaultHeartbeatInterval = defaultHeartbeatInterval;
    this.clock = clock;
  }

  /**
   * Registers an agent. A new id needs a valid bootstrap token; an id bound to a key needs proof of
   * that key (a signed challenge, or the agent's current certificate); an id an operator released,
   * or one registered before keys existed, is bound to the key it now presents.
   *
   * @param bootstrapToken the bearer token; null when the agent registers with a proof only
   * @param peer the client certificate's identity, or null
   * @param source the caller's address, for the log of refused attempts
   */
  public RegisterResponse register(
      String bootstrapToken, RegisterRequest request, PeerIdentity peer, String source) {
    if (request.publicKey() != null && AgentKeys.parse(request.publicKey()).isEmpty()) {
      throw ApiException.badRequest("public_key is not an EC P-256 public key");
    }
    if (request.proof() != null && request.publicKey() == null) {
      throw ApiException.badRequest("a proof needs the public_key it was made with");
    }
    boolean challengeSpent = request.proof() != null && spendChallenge(request);
    Registered registered;
    try {
      registered = registerRetryingARace(bootstrapToken, request, peer, challengeSpent);
    } catch (ApiException e) {
      if (e.code() == ErrorCode.AGENT_ID_IN_USE) {
        LOG.warn(
            "refused a registration of agent {} from {}: {}",
            request.agentId(),
            source,
            e.getMessage());
      }
      throw e;
    }
    logRegistered(registered.how(), request, source);
    return registered.response();
  }

  /**
   * Spends the proof's challenge in a transaction of its own, so a refused registration cannot roll
   * the spending back and leave the proof to be replayed.
   */
  private boolean spendChallenge(RegisterRequest request) {
    return database.inTransaction(
        "spend a challenge",
        c ->
            identities.spendChallenge(
                c, request.agentId(), Secrets.hash(request.proof().challenge()), clock.instant()));
  }

  private Registered registerRetryingARace(
      String bootstrapToken, RegisterRequest request, PeerIdentity peer, boolean challengeSpent) {
    try {
      return registerOnce(bootstrapToken, request, peer, challengeSpent);
    } catch (StorageException e) {
      if (!e.uniqueViolation()) {
        throw e;
      }
      // Two registrations of the same new agent raced (a retried request whose first attempt
      // was slow): the other one inserted the row, so this one now registers again over it.
      return registerOnce(bootstrapToken, request, peer, challengeSpent);
    }
  }

  private static void logRegistered(How how, RegisterRequest request, String source) {
    switch (how) {
      case NEW -> LOG.info("agent {} registered{}", request.agentId(), keyNote(request));
      case PROVEN ->
          LOG.info("agent {} registered again with a proof of its key", request.agentId());
      case REBOUND ->
          LOG.warn(
              "agent {} registered from {} after an operator reset; its id is now bound to key {}",
              request.agentId(),
              source,
              request.publicKey() == null ? "(none)" : AgentKeys.fingerprint(request.publicKey()));
      case WITH_TOKEN ->
          LOG.info(
              "agent {} registered again with a bootstrap token{}",
              request.agentId(),
              keyNote(request));
    }
  }

  private static String keyNote(RegisterRequest request) {
    return request.publicKey() == null
        ? " (no key: an agent of protocol version 1)"
        : "; bound to key " + AgentKeys.fingerprint(request.publicKey());
  }

  private enum How {
    NEW,
    PROVEN,
    REBOUND,
    WITH_TOKEN
  }

  private record Registered(How how, RegisterResponse response) {}

  private Registered registerOnce(
      String bootstrapToken, RegisterRequest request, PeerIdentity peer, boolean challengeSpent) {
    Instant now = clock.instant();
    String agentId = request.agentId();
    return database.inTransaction(
        "register an agent",
        c -> {
          Optional<AgentRow> existing = agents.find(c, agentId);
          IdentityRow identity = identities.find(c, agentId).orElse(IdentityRow.unbound(agentId));
          if (existing.isPresent() && existing.get().revoked()) {
            // A code of its own, so the agent can tell it from a refused bootstrap token; an
            // older agent sees a 403 as before.
            throw new ApiException(ErrorCode.AGENT_REVOKED, "agent " + agentId + " is revoked");
          }
          if (existing.isPresent() && identity.bound()) {
            if (!proven(request, peer, identity, challengeSpent, now)) {
              throw new ApiException(
                  ErrorCode.AGENT_ID_IN_USE,
                  "agent id "
                      + agentId
                      + " is bound to another key and no valid proof of that key was given;"
                      + " nothing was changed");
            }
            return new Registered(How.PROVEN, bind(c, request, existing, identity, null, now));
          }
          BootstrapTokenRow token =
              acceptableBootstrapToken(c, bootstrapToken, agentId, existing, identity, now);
          How how =
              identity.released() ? How.REBOUND : existing.isEmpty() ? How.NEW : How.WITH_TOKEN;
          RegisterResponse response = bind(c, request, existing, identity, token, now);
          // Counted last: the count locks the token's row until the commit, and every agent of a
          // fleet registers with the same token, so a registration storm goes one registration
          // at a time through that lock. Held for the commit alone, not for the signing and the
          // inserts before it, it lets a storm of 5,000 agents through in a fraction of the time.
          // A refusal here rolls the whole registration back, as it did when it came first.
          spendBootstrapToken(c, token, agentId, existing, now);
          return new Registered(how, response);
        });
  }

  /**
   * The bootstrap token an agent registers with, when it may: the token must work and be the one
   * the agent registered with while that one works.
   */
  private BootstrapTokenRow acceptableBootstrapToken(
      Connection c,
      String bootstrapToken,
      String agentId,
      Optional<AgentRow> existing,
      IdentityRow identity,
      Instant now)
      throws SQLException {
    BootstrapTokenRow token = validBootstrapToken(c, bootstrapToken, now);
    if (existing.isPresent()
        && !identity.released()
        && identity.bootstrapTokenId() != null
        && !identity.bootstrapTokenId().equals(token.tokenId())
        && usable(c, identity.bootstrapTokenId(), now)) {
      throw new ApiException(
          ErrorCode.AGENT_ID_IN_USE,
          "agent id "
              + agentId
              + " was registered with another bootstrap token; nothing was changed");
    }
    return token;
  }

  /**
   * Counts the registration against its bootstrap token: a single-use token must have its use left
   * and the token an agent left to create when this one is new.
   */
  private void spendBootstrapToken(
      Connection c,
      BootstrapTokenRow token,
      String agentId,
      Optional<AgentRow> existing,
      Instant now)
      throws SQLException {
    if (!tokens.markBootstrapUsed(c, token.tokenId(), agentId, now)) {
      throw ApiException.unauthorized(
          "the single-use bootstrap token was already used by another agent");
    }
    if (existing.isEmpty() && !tokens.countAgentCreated(c, token.tokenId())) {
      throw ApiException.forbidden(
          "the bootstrap token has created the "
              + token.maxAgents()
              + " agents it may create; ask an operator for another");
    }
  }

  /**
   * Stores the agent and the key its id is bound to, starts a new token chain (ending the old ones)
   * and answers with the tokens and, for an agent that speaks keys, its certificate.
   *
   * @param token the bootstrap token it registered with, or null when it proved its key
   */
  private RegisterResponse bind(
      Connection c,
      RegisterRequest request,
      Optional<AgentRow> existing,
      IdentityRow identity,
      BootstrapTokenRow token,
      Instant now)
      throws SQLException {
    String agentId = request.agentId();
    AgentRow row = toRow(request, existing.map(AgentRow::registeredAt).orElse(now));
    if (existing.isPresent()) {
      agents.updateIdentity(c, row);
      tokens.revokeFamiliesOf(c, agentId, "re-registered", now);
    } else {
      agents.insert(c, row);
    }
    agents.recordProtocol(c, agentId, request.protocolVersion());
    migrationEndpoints.saveEndpoint(c, agentId, request.migration(), now);
    String key = request.publicKey() != null ? request.publicKey() : identity.publicKey();
    Instant keyBoundAt =
        key == null ? null : key.equals(identity.publicKey()) ? identity.keyBoundAt() : now;
    String tokenId = token != null ? token.tokenId() : identity.bootstrapTokenId();
    identities.save(c, new IdentityRow(agentId, key, keyBoundAt, tokenId, null));
    String familyId = UUID.randomUUID().toString();
    tokens.insertFamily(c, familyId, agentId, now);
    TokenPair pair = issuePair(c, agentId, familyId, now);
    ClientCertificate certificate =
        key != null && speaksKeys(request.protocolVersion())
            ? certificates.issue(agentId, key)
            : null;
    return new RegisterResponse(
        agentId,
        pair.accessToken(),
        pair.accessTokenExpiresAt(),
        pair.refreshToken(),
        pair.refreshTokenExpiresAt(),
        ProtocolPaths.PROTOCOL_VERSION,
        certificate == null ? null : certificate.certificate(),
        certificate == null ? null : certificate.expiresAt(),
        pair.serverTime(),
        pair.expiresIn());
  }

  private static boolean speaksKeys(Integer protocolVersion) {
    return protocolVersion != null && protocolVersion >= 2;
  }

  /**
   * Whether the request proves possession of the bound key: a signature over a challenge that was
   * just spent, or the agent's own current certificate on this connection.
   */
  private static boolean proven(
      RegisterRequest request,
      PeerIdentity peer,
      IdentityRow identity,
      boolean challengeSpent,
      Instant now) {
    if (request.publicKey() != null && !request.publicKey().equals(identity.publicKey())) {
      return false;
    }
    if (request.proof() != null) {
      return challengeSpent
          && AgentKeys.verifies(
              AgentKeys.parse(identity.publicKey()).orElseThrow(),
              request.agentId(),
              request.proof());
    }
    return peer != null && peer.provesKeyOf(request.agentId(), identity.publicKey(), now);
  }

  /**
   * Whether a bootstrap token still works. An agent registered before keys existed may come back
   * only with the token it registered with while that token works, and with a current one after an
   * operator rotated it.
   */
  private boolean usable(Connection c, String tokenId, Instant now) throws SQLException {
    return tokens
        .findBootstrapById(c, tokenId)
        .map(t -> !t.revoked() && (t.expiresAt() == null || t.expiresAt().isAfter(now)))
        .orElse(false);
  }

  private BootstrapTokenRow validBootstrapToken(Connection c, String secret, Instant now)
      throws SQLException {
    BootstrapTokenRow token = workingBootstrapToken(c, secret, now);
    Optional<Duration> wait = throttles.registration(token.tokenId());
    if (wait.isPresent()) {
      throw ApiException.rateLimited(
          "the bootstrap token registered as many agents as it may this minute", wait.get());
    }
    return token;
  }

  /** The bootstrap token with this secret, if it is known, not revoked and not expired. */
  private BootstrapTokenRow workingBootstrapToken(Connection c, String secret, Instant now)
      throws SQLException {
    if (secret == null) {
      throw ApiException.unauthorized("the bootstrap token is required");
    }
    BootstrapTokenRow token =
        tokens
            .findBootstrapByHash(c, Secrets.hash(secret))
            .orElseThrow(() -> ApiException.unauthorized("unknown bootstrap token"));
    if (token.revoked()) {
      throw ApiException.unauthorized("the bootstrap token was revoked");
    }
    if (token.expiresAt() != null && !token.expiresAt().isAfter(now)) {
      throw ApiException.unauthorized("the bootstrap token has expired");
    }
    return token;
  }

  /**
   * Whether a registration could use this bootstrap token now, as far as the token alone decides;
   * nothing is counted or changed. A refusal is an {@link ApiException} like register's.
   */
  public BootstrapTokenCheck checkBootstrapToken(String secret) {
    Instant now = clock.instant();
    BootstrapTokenRow token =
        database.inTransaction(
            "check a bootstrap token", c -> workingBootstrapToken(c, secret, now));
    if (token.singleUse() && token.usedByAgent() != null) {
      throw ApiException.unauthorized("the single-use bootstrap token was already used");
    }
    Integer left =
        token.maxAgents() == null ? null : Math.max(0, token.maxAgents() - token.agentsCreated());
    if (left != null && left == 0) {
      throw ApiException.forbidden(
          "the bootstrap token has created the "
              + token.maxAgents()
              + " agents it may create; ask an operator for another");
    }
    return new BootstrapTokenCheck(token.singleUse(), token.expiresAt(), left);
  }

  private AgentRow toRow(RegisterRequest request, Instant registeredAt) {
    int interval =
        request.heartbeatIntervalSeconds() != null
            ? request.heartbeatIntervalSeconds()
            : (int) defaultHeartbeatInterval.toSeconds();
    return new AgentRow(
        request.agentId(),
        request.name(),
        request.hostname(),
        request.agentVersion(),
        request.libvirtUri(),
        request.hypervisor() == null ? null : json.write(request.hypervisor()),
        json.write(Capabilities.names(request.capabilities(), request.operations())),
        Math.max(1, interval),
        registeredAt,
        null,
        null,
        null,
        null,
        request.operations() == null ? null : json.write(request.operations()));
  }

  private enum RefreshOutcome {
    ROTATED,
    BOUND,
    REUSED
  }

  private record Refreshed(RefreshOutcome outcome, TokenPair pair, String agentId) {}

  /**
   * Rotates a refresh token. A token presented a second time revokes its whole chain, committed
   * before the 401 is answered.
   */
  public TokenPair refresh(RefreshRequest request, PeerIdentity peer) {
    Instant now = clock.instant();
    if (request.publicKey() != null && AgentKeys.parse(request.publicKey()).isEmpty()) {
      throw ApiException.badRequest("public_key is not an EC P-256 public key");
    }
    String hash = Secrets.hash(request.refreshToken());
    Refreshed refreshed =
        database.inTransaction("refresh a token", c -> rotate(c, request, hash, peer, now));
    if (refreshed.outcome() == RefreshOutcome.REUSED) {
      LOG.warn(
          "refresh token of agent {} was used twice; its token chain is revoked",
          refreshed.agentId());
      throw ApiException.unauthorized(
          "the refresh token was already used; its token chain is revoked, register again");
    }
    if (refreshed.outcome() == RefreshOutcome.BOUND) {
      LOG.info(
          "agent {} is now bound to key {} (it registered before keys existed)",
          refreshed.agentId(),
          AgentKeys.fingerprint(request.publicKey()));
    }
    return refreshed.pair();
  }

  /** Spends the refresh token and issues the next pair of its chain. */
  private Refreshed rotate(
      Connection c, RefreshRequest request, String hash, PeerIdentity peer, Instant now)
      throws SQLException {
    RefreshTokenRow token =
        tokens
            .findRefresh(c, hash)
            .orElseThrow(() -> ApiException.unauthorized("unknown refresh token"));
    if (token.familyRevokedAt() != null) {
      throw ApiException.unauthorized("the refresh token's chain is revoked");
    }
    Optional<AgentRow> agent = agents.find(c, token.agentId());
    if (agent.isEmpty() || agent.get().revoked()) {
      throw ApiException.unauthorized("the agent is revoked");
    }
    // Checked before the token is spent: a refusal here changes nothing.
    auth.requireAgentCertificate(peer, token.agentId());
    Optional<IdentityRow> identity = identities.find(c, token.agentId());
    if (peer != null) {
      Authenticator.requireBoundKey(peer, identity.map(IdentityRow::publicKey).orElse(null));
    }
    if (!tokens.spendRefresh(c, hash, now)) {
      tokens.revokeFamily(c, token.familyId(), "refresh-token-reuse", now);
      return new Refreshed(RefreshOutcome.REUSED, null, token.agentId());
    }
    if (!token.expiresAt().isAfter(now)) {
      throw ApiException.unauthorized("the refresh token has expired; register again");
    }
    boolean bind =
        request.publicKey() != null && identity.map(i -> !i.bound() && !i.released()).orElse(true);
    if (bind) {
      // An agent registered before keys existed proves itself with its refresh token chain; from
      // now on its id is bound to this key.
      IdentityRow old = identity.orElse(IdentityRow.unbound(token.agentId()));
      identities.save(
          c,
          new IdentityRow(token.agentId(), request.publicKey(), now, old.bootstrapTokenId(), null));
    }
    return new Refreshed(
        bind ? RefreshOutcome.BOUND : RefreshOutcome.ROTATED,
        issuePair(c, token.agentId(), token.familyId(), now),
        token.agentId());
  }

  private TokenPair issuePair(Connection c, String agentId, String familyId, Instant now)
      throws SQLException {
    String refresh = Secrets.newToken(Secrets.REFRESH_PREFIX);
    Instant refreshExpires = now.plus(refreshTtl);
    tokens.insertRefresh(c, Secrets.hash(refresh), familyId, agentId, now, refreshExpires);
    IssuedToken access = accessTokens.issue(agentId, familyId);
    return new TokenPair(
        access.token(),
        access.expiresAt(),
        refresh,
        refreshExpires,
        now,
        Math.max(0, Duration.between(now, access.expiresAt()).toSeconds()));
  }

  /** Creates a bootstrap token; its secret is returned once and stored only as a hash. */
  public BootstrapTokenCreated createBootstrapToken(CreateBootstrapTokenRequest request) {
    Instant now = clock.instant();
    String secret = Secrets.newToken(Secrets.BOOTSTRAP_PREFIX);
    boolean singleUse = Boolean.TRUE.equals(request.singleUse());
    Instant expires =
        request.expiresInSeconds() == null ? null : now.plusSeconds(request.expiresInSeconds());
    BootstrapTokenRow row =
        new BootstrapTokenRow(
            UUID.randomUUID().toString(),
            Secrets.hash(secret),
            request.description(),
            singleUse,
            now,
            expires,
            null,
            null,
            false,
            request.maxAgents(),
            0);
    database.inTransaction(
        "create a bootstrap token",
        c -> {
          tokens.insertBootstrap(c, row);
          return null;
        });
    LOG.info("bootstrap token {} created (single use: {})", row.tokenId(), singleUse);
    return new BootstrapTokenCreated(
        row.tokenId(), secret, row.description(), singleUse, now, expires);
  }

  /** Every bootstrap token, without secrets, newest first. */
  public List<BootstrapTokenInfo> listBootstrapTokens() {
    return database.inTransaction(
        "list bootstrap tokens",
        c -> tokens.listBootstrap(c).stream().map(RegistrationService::info).toList());
  }

  /** Revokes a bootstrap token; agents registered with it keep working. */
  public BootstrapTokenInfo revokeBootstrapToken(String tokenId) {
    return database.inTransaction(
        "revoke a bootstrap token",
        c -> {
          if (!tokens.revokeBootstrap(c, tokenId)) {
            throw ApiException.notFound("no bootstrap token " + tokenId);
          }
          return info(tokens.findBootstrapById(c, tokenId).orElseThrow());
        });
  }

  private static BootstrapTokenInfo info(BootstrapTokenRow row) {
    return new BootstrapTokenInfo(
        row.tokenId(),
        row.description(),
        row.singleUse(),
        row.createdAt(),
        row.expiresAt(),
        row.usedAt(),
        row.usedByAgent(),
        row.revoked(),
        row.maxAgents(),
        row.agentsCreated());
  }
}

package io.vmagent.backend.service;

import io.vmagent.backend.auth.AccessTokens;
import io.vmagent.backend.auth.IssuedToken;
import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.store.AgentRow;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.BootstrapTokenRow;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.RefreshTokenRow;
import io.vmagent.backend.store.StorageException;
import io.vmagent.backend.store.TokenStore;
import io.vmagent.protocol.BootstrapTokenCreated;
import io.vmagent.protocol.BootstrapTokenInfo;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
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
 * Registration with bootstrap tokens, refresh-token rotation with reuse detection, and the
 * bootstrap tokens themselves.
 */
public final class RegistrationService {
  private static final Logger LOG = LoggerFactory.getLogger(RegistrationService.class);

  private final Database database;
  private final AgentStore agents;
  private final TokenStore tokens;
  private final AccessTokens accessTokens;
  private final JsonCodec json;
  private final Duration refreshTtl;
  private final Duration defaultHeartbeatInterval;
  private final Clock clock;

  /** A service over these stores, issuing refresh tokens that live {@code refreshTtl}. */
  public RegistrationService(
      Database database,
      AgentStore agents,
      TokenStore tokens,
      AccessTokens accessTokens,
      JsonCodec json,
      Duration refreshTtl,
      Duration defaultHeartbeatInterval,
      Clock clock) {
    this.database = database;
    this.agents = agents;
    this.tokens = tokens;
    this.accessTokens = accessTokens;
    this.json = json;
    this.refreshTtl = refreshTtl;
    this.defaultHeartbeatInterval = defaultHeartbeatInterval;
    this.clock = clock;
  }

  /**
   * Registers (or registers again) the agent presenting this bootstrap token. A repeat keeps the
   * agent's history, replaces its identity and revokes its earlier token chains.
   */
  public RegisterResponse register(String bootstrapToken, RegisterRequest request) {
    try {
      return registerOnce(bootstrapToken, request);
    } catch (StorageException e) {
      if (!e.uniqueViolation()) {
        throw e;
      }
      // Two registrations of the same new agent raced (a retried request whose first attempt
      // was slow): the other one inserted the row, so this one now registers again over it.
      return registerOnce(bootstrapToken, request);
    }
  }

  private RegisterResponse registerOnce(String bootstrapToken, RegisterRequest request) {
    Instant now = clock.instant();
    String hash = Secrets.hash(bootstrapToken);
    RegisterResponse response =
        database.inTransaction(
            "register an agent",
            c -> {
              BootstrapTokenRow token =
                  tokens
                      .findBootstrapByHash(c, hash)
                      .orElseThrow(() -> ApiException.unauthorized("unknown bootstrap token"));
              if (token.revoked()) {
                throw ApiException.unauthorized("the bootstrap token was revoked");
              }
              if (token.expiresAt() != null && !token.expiresAt().isAfter(now)) {
                throw ApiException.unauthorized("the bootstrap token has expired");
              }
              Optional<AgentRow> existing = agents.find(c, request.agentId());
              if (existing.isPresent() && existing.get().revoked()) {
                throw ApiException.forbidden("agent " + request.agentId() + " is revoked");
              }
              if (!tokens.markBootstrapUsed(c, token.tokenId(), request.agentId(), now)) {
                throw ApiException.unauthorized(
                    "the single-use bootstrap token was already used by another agent");
              }
              AgentRow row = toRow(request, existing.map(AgentRow::registeredAt).orElse(now));
              if (existing.isPresent()) {
                agents.updateIdentity(c, row);
                tokens.revokeFamiliesOf(c, request.agentId(), "re-registered", now);
              } else {
                agents.insert(c, row);
              }
              String familyId = UUID.randomUUID().toString();
              tokens.insertFamily(c, familyId, request.agentId(), now);
              TokenPair pair = issuePair(c, request.agentId(), familyId, now);
              return new RegisterResponse(
                  request.agentId(),
                  pair.accessToken(),
                  pair.accessTokenExpiresAt(),
                  pair.refreshToken(),
                  pair.refreshTokenExpiresAt());
            });
    LOG.info("agent {} registered", request.agentId());
    return response;
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
        json.write(request.capabilities()),
        Math.max(1, interval),
        registeredAt,
        null,
        null,
        null,
        null);
  }

  private enum RefreshOutcome {
    ROTATED,
    REUSED
  }

  private record Refreshed(RefreshOutcome outcome, TokenPair pair, String agentId) {}

  /**
   * Rotates a refresh token. A token presented a second time revokes its whole chain, committed
   * before the 401 is answered.
   */
  public TokenPair refresh(RefreshRequest request) {
    Instant now = clock.instant();
    String hash = Secrets.hash(request.refreshToken());
    Refreshed refreshed =
        database.inTransaction(
            "refresh a token",
            c -> {
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
              if (!tokens.spendRefresh(c, hash, now)) {
                tokens.revokeFamily(c, token.familyId(), "refresh-token-reuse", now);
                return new Refreshed(RefreshOutcome.REUSED, null, token.agentId());
              }
              if (!token.expiresAt().isAfter(now)) {
                throw ApiException.unauthorized("the refresh token has expired; register again");
              }
              return new Refreshed(
                  RefreshOutcome.ROTATED,
                  issuePair(c, token.agentId(), token.familyId(), now),
                  token.agentId());
            });
    if (refreshed.outcome() == RefreshOutcome.REUSED) {
      LOG.warn(
          "refresh token of agent {} was used twice; its token chain is revoked",
          refreshed.agentId());
      throw ApiException.unauthorized(
          "the refresh token was already used; its token chain is revoked, register again");
    }
    return refreshed.pair();
  }

  private TokenPair issuePair(Connection c, String agentId, String familyId, Instant now)
      throws SQLException {
    String refresh = Secrets.newToken(Secrets.REFRESH_PREFIX);
    Instant refreshExpires = now.plus(refreshTtl);
    tokens.insertRefresh(c, Secrets.hash(refresh), familyId, agentId, now, refreshExpires);
    IssuedToken access = accessTokens.issue(agentId, familyId);
    return new TokenPair(access.token(), access.expiresAt(), refresh, refreshExpires);
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
            false);
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
        row.revoked());
  }
}

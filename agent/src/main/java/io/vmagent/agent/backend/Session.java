package io.vmagent.agent.backend;

import io.vmagent.agent.config.Secret;
import io.vmagent.agent.logging.SecretMasker;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.TokenPair;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's standing with the backend: registers when it has no credentials (or they were
 * rejected), keeps them in the {@link CredentialsStore}, refreshes the access token before it
 * expires and once after a 401. Every token received is registered with the {@link
 * SecretMasker} so it can never reach a log line.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final HttpTransport transport;
  private final CredentialsStore store;
  private final Optional<Secret> bootstrapToken;
  private final boolean autoRegister;
  private final Supplier<RegisterRequest> identity;
  private final Clock clock;

  private final Object lock = new Object();
  private Credentials current; // guarded by lock
  private boolean loaded; // guarded by lock
  private int registerAttempts; // guarded by lock

  /**
   * @param bootstrapToken {@code AGENT_TOKEN}, used to register
   * @param autoRegister {@code AGENT_AUTO_REGISTER}
   * @param identity what the agent says about itself when it registers
   */
  public Session(
      HttpTransport transport,
      CredentialsStore store,
      Optional<Secret> bootstrapToken,
      boolean autoRegister,
      Supplier<RegisterRequest> identity,
      Clock clock) {
    this.transport = Objects.requireNonNull(transport, "transport == null");
    this.store = Objects.requireNonNull(store, "store == null");
    this.bootstrapToken = bootstrapToken;
    this.autoRegister = autoRegister;
    this.identity = identity;
    this.clock = clock;
    bootstrapToken.ifPresent(token -> SecretMasker.register(token.reveal()));
  }

  /** The registered agent id, once registered. */
  public Optional<String> agentId() {
    synchronized (lock) {
      return Optional.ofNullable(current).map(Credentials::agentId);
    }
  }

  /** The current credentials, registering or refreshing first when needed. */
  public Credentials credentials() throws IOException {
    synchronized (lock) {
      if (!loaded) {
        loaded = true;
        current = usable(store.load().orElse(null));
        if (current != null) {
          remember(current);
          log.info(
              "using kept credentials of agent {} from {}", current.agentId(), store.file());
        }
      }
      Instant now = clock.instant();
      if (current == null) {
        current = register("no credentials are kept");
      } else if (current.accessTokenDue(now)) {
        current = refresh("the access token expires at " + current.accessTokenExpiresAt());
      }
      return current;
    }
  }

  /** A valid access token (see {@link #credentials()}). */
  public String accessToken() throws IOException {
    return credentials().accessToken();
  }

  /**
   * The backend refused {@code rejected} with a 401: refresh once (unless another thread already
   * did) and return the new access token.
   */
  public String renewAfterRejection(String rejected) throws IOException {
    synchronized (lock) {
      if (current != null && !current.accessToken().equals(rejected)) {
        return current.accessToken();
      }
      current =
          current == null
              ? register("no credentials are kept")
              : refresh("the backend refused the access token");
      return current.accessToken();
    }
  }

  private Credentials usable(Credentials kept) {
    if (kept == null) {
      return null;
    }
    if (!transport.baseUrl().toString().equals(kept.backendUrl())) {
      log.info(
          "kept credentials belong to {}, not {}; registering again",
          kept.backendUrl(),
          transport.baseUrl());
      return null;
    }
    return kept;
  }

  private Credentials refresh(String why) throws IOException {
    Instant now = clock.instant();
    if (!current.refreshTokenValid(now)) {
      return register("the refresh token expired at " + current.refreshTokenExpiresAt());
    }
    TokenPair pair;
    try {
      pair =
          transport.send(
              "POST",
              ProtocolPaths.REFRESH,
              new RefreshRequest(current.refreshToken()),
              null,
              TokenPair.class,
              RetryMode.NOT_SENT_ONLY,
              null);
    } catch (BackendHttpException e) {
      if (e.status() == 401 || e.status() == 400 || e.status() == 403) {
        return register("the backend refused the refresh token (" + e.code() + ")");
      }
      throw e;
    }
    checkTokens(
        ProtocolPaths.REFRESH,
        pair.accessToken(),
        pair.accessTokenExpiresAt(),
        pair.refreshToken(),
        pair.refreshTokenExpiresAt());
    Credentials renewed =
        new Credentials(
            current.backendUrl(),
            current.agentId(),
            pair.accessToken(),
            pair.accessTokenExpiresAt(),
            pair.refreshToken(),
            pair.refreshTokenExpiresAt(),
            now);
    remember(renewed);
    store.save(renewed);
    if (!current.refreshToken().equals(renewed.refreshToken())) {
      forget(current);
    }
    log.info(
        "access token refreshed ({}); valid until {}", why, renewed.accessTokenExpiresAt());
    return renewed;
  }

  private Credentials register(String why) throws IOException {
    if (!autoRegister) {
      throw new RegistrationException(
          "the agent must register (" + why + ") but AGENT_AUTO_REGISTER is false");
    }
    if (bootstrapToken.isEmpty()) {
      throw new RegistrationException(
          "the agent must register (" + why + ") but AGENT_TOKEN is not set");
    }
    RegisterRequest request = identity.get();
    registerAttempts++;
    if (registerAttempts == 1) {
      log.info("registering with {} as agent {} ({})", transport.baseUrl(), request.agentId(), why);
    } else {
      log.debug("registering again (attempt {}): {}", registerAttempts, why);
    }
    Instant now = clock.instant();
    RegisterResponse response;
    try {
      response =
          transport.send(
              "POST",
              ProtocolPaths.REGISTER,
              request,
              bootstrapToken.get().reveal(),
              RegisterResponse.class,
              RetryMode.SAFE,
              null);
    } catch (BackendHttpException e) {
      if (e.status() == 401 || e.status() == 403) {
        throw new RegistrationException(
            "the backend refused to register this agent: " + e.getMessage()
                + " (check AGENT_TOKEN; a revoked agent cannot register again)",
            e);
      }
      throw e;
    }
    // The id goes into every request path: a backend must not be able to steer it elsewhere.
    if (response.agentId() == null
        || !ProtocolPaths.AGENT_ID_PATTERN.matcher(response.agentId()).matches()) {
      throw new IOException(
          "the backend's registration answer is unusable: the agent id is not a valid id");
    }
    checkTokens(
        ProtocolPaths.REGISTER,
        response.accessToken(),
        response.accessTokenExpiresAt(),
        response.refreshToken(),
        response.refreshTokenExpiresAt());
    Credentials registered =
        new Credentials(
            transport.baseUrl().toString(),
            response.agentId(),
            response.accessToken(),
            response.accessTokenExpiresAt(),
            response.refreshToken(),
            response.refreshTokenExpiresAt(),
            now);
    remember(registered);
    store.save(registered);
    registerAttempts = 0;
    if (current != null && !current.refreshToken().equals(registered.refreshToken())) {
      forget(current);
    }
    log.info(
        "registered as agent {}; credentials kept in {} (mode 0600)",
        registered.agentId(),
        store.file());
    return registered;
  }

  /** Refuses an answer whose tokens or expiry times are missing, before anything is kept. */
  private static void checkTokens(
      String path, String access, Instant accessExpires, String refresh, Instant refreshExpires)
      throws IOException {
    if (access == null
        || access.isBlank()
        || refresh == null
        || refresh.isBlank()
        || accessExpires == null
        || refreshExpires == null) {
      throw new IOException(
          "the backend's answer to "
              + path
              + " is unusable: a token or its expiry time is missing");
    }
  }

  private static void remember(Credentials credentials) {
    SecretMasker.register(credentials.accessToken());
    SecretMasker.register(credentials.refreshToken());
  }

  // Spent tokens are dropped from the masker so its list does not grow without bound; an access
  // token is a JWT, which the masker's pattern still catches.
  private static void forget(Credentials credentials) {
    SecretMasker.forget(credentials.accessToken());
    SecretMasker.forget(credentials.refreshToken());
  }
}

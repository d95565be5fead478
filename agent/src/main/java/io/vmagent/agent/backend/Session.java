package io.vmagent.agent.backend;

import io.vmagent.agent.config.Secret;
import io.vmagent.agent.logging.SecretMasker;
import io.vmagent.protocol.ClientCertificate;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.IdentityChallenge;
import io.vmagent.protocol.IdentityProof;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.ServiceHealth;
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
 * expires and once after a 401. With a backend of protocol 2 it registers with its key (and a proof
 * of it, so no bootstrap token is needed again), and keeps its client certificate renewed through
 * the {@link Enrollment}. Every token received is registered with the {@link SecretMasker} so it
 * can never reach a log line.
 */
public final class Session {
  private static final Logger log = LoggerFactory.getLogger(Session.class);

  private final HttpTransport transport;
  private final CredentialsStore store;
  private final Optional<Secret> bootstrapToken;
  private final boolean autoRegister;
  private final Supplier<RegisterRequest> identity;
  private final Enrollment enrollment;
  private final Clock clock;

  private final Object lock = new Object();
  private Credentials current; // guarded by lock
  private boolean loaded; // guarded by lock
  private int registerAttempts; // guarded by lock
  private Integer backendProtocol; // guarded by lock; null until the backend said
  private Instant nextProtocolProbe = Instant.MIN; // guarded by lock
  private Instant nextRenewal = Instant.MIN; // guarded by lock
  // Before this instant nothing about the credentials can be due, so a request takes them as they
  // are instead of asking the tokens and the certificate again.
  private Instant recheckAt = Instant.MIN; // guarded by lock
  private volatile boolean certificateUnconfirmed;

  /**
   * @param bootstrapToken {@code AGENT_TOKEN}, used to register
   * @param autoRegister {@code AGENT_AUTO_REGISTER}
   * @param identity what the agent says about itself when it registers
   * @param enrollment the agent's key and issued client certificate
   */
  public Session(
      HttpTransport transport,
      CredentialsStore store,
      Optional<Secret> bootstrapToken,
      boolean autoRegister,
      Supplier<RegisterRequest> identity,
      Enrollment enrollment,
      Clock clock) {
    this.transport = Objects.requireNonNull(transport, "transport == null");
    this.store = Objects.requireNonNull(store, "store == null");
    this.bootstrapToken = bootstrapToken;
    this.autoRegister = autoRegister;
    this.identity = identity;
    this.enrollment = Objects.requireNonNull(enrollment, "enrollment == null");
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
          log.info("using kept credentials of agent {} from {}", current.agentId(), store.file());
        }
      }
      Instant now = clock.instant();
      if (current != null && now.isBefore(recheckAt)) {
        return current;
      }
      if (current == null) {
        current = register("no credentials are kept");
      } else if (enrollment.expired(now) && knownProtocol() >= 2) {
        enrollment.withdrawIfExpired(now);
        current = register("the client certificate expired while the agent was away");
      } else if (current.accessTokenDue(now)) {
        current = refresh("the access token expires at " + current.accessTokenExpiresAt());
      }
      renewCertificateIfDue(now);
      recheckAt = nextCheck(now);
      return current;
    }
  }

  /** The first instant at which {@link #credentials()} may have to refresh, register or renew. */
  private Instant nextCheck(Instant now) {
    Instant renewal = enrollment.renewalAt();
    if (!renewal.isAfter(now)) {
      if (backendProtocol != null && backendProtocol < 2) {
        // An old backend issues no certificates, so neither renewal nor expiry ever applies.
        renewal = Instant.MAX;
      } else {
        // Due but not done: the next try waits for the renewal's or the protocol probe's backoff.
        renewal = nextRenewal;
        if (backendProtocol == null && nextProtocolProbe.isAfter(renewal)) {
          renewal = nextProtocolProbe;
        }
      }
    }
    Instant refresh = current.accessTokenRefreshAt();
    return refresh.isBefore(renewal) ? refresh : renewal;
  }

  /** The issued client certificate is in use: a request with it worked. */
  public void certificateWorked() {
    if (certificateUnconfirmed) {
      certificateUnconfirmed = false;
      enrollment.confirm();
    }
  }

  /**
   * A TLS handshake failed: if a just-renewed certificate is the cause, go back to the previous
   * one. True when the request is worth one more try.
   */
  public boolean certificateRefused() throws IOException {
    boolean reverted = enrollment.revert();
    if (reverted) {
      certificateUnconfirmed = false;
    }
    return reverted;
  }

  /**
   * Fetches a client certificate when the agent has none or two thirds of its life are used; a
   * failure leaves the current one in use and is tried again a minute later.
   */
  private void renewCertificateIfDue(Instant now) {
    if (!enrollment.renewalDue(now) || now.isBefore(nextRenewal) || knownProtocol() < 2) {
      return;
    }
    try {
      ClientCertificate renewed;
      try {
        renewed = fetchCertificate();
      } catch (BackendHttpException e) {
        if (e.status() != 409) {
          throw e;
        }
        // No key bound yet: this agent registered before it had one. A refresh carries the key
        // and binds it, so the upgrade takes effect now rather than at the next token refresh.
        current = refresh("binding this agent's key to its id");
        renewed = fetchCertificate();
      }
      enrollment.accept(renewed.certificate());
      certificateUnconfirmed = true;
    } catch (IOException e) {
      nextRenewal = now.plusSeconds(60);
      log.warn(
          "cannot renew the client certificate now ({}); retrying in a minute", e.getMessage());
    }
  }

  private ClientCertificate fetchCertificate() throws IOException {
    return transport.send(
        "POST",
        ProtocolPaths.certificate(current.agentId()),
        null,
        current.accessToken(),
        ClientCertificate.class,
        RetryMode.SAFE,
        null);
  }

  /**
   * The backend's protocol version when it is known or can be learnt now; 1 otherwise, so a member
   * an older backend would refuse is not sent.
   */
  public int protocol() {
    synchronized (lock) {
      return knownProtocol();
    }
  }

  /** The backend's protocol version when it is known or can be learnt now; 1 otherwise. */
  private int knownProtocol() {
    if (backendProtocol == null && !clock.instant().isBefore(nextProtocolProbe)) {
      try {
        return backendProtocol();
      } catch (IOException e) {
        nextProtocolProbe = clock.instant().plusSeconds(30);
      }
    }
    return backendProtocol == null ? 1 : backendProtocol;
  }

  /**
   * The backend's protocol version, asked once: the agent sends protocol-2 fields only to a backend
   * that names 2 or more, since an older one refuses members it does not know.
   */
  private int backendProtocol() throws IOException {
    if (backendProtocol == null) {
      try {
        ServiceHealth health =
            transport.send(
                "GET", ProtocolPaths.HEALTH, null, null, ServiceHealth.class, RetryMode.SAFE, null);
        backendProtocol = health.protocolVersion() == null ? 1 : health.protocolVersion();
      } catch (BackendHttpException e) {
        if (e.status() != 404) {
          throw e;
        }
        // A backend without the health endpoint predates protocol versions.
        backendProtocol = 1;
      }
      log.debug("the backend speaks protocol version {}", backendProtocol);
    }
    return backendProtocol;
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
      recheckAt = Instant.MIN;
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
      pair = sendRefresh();
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
    log.info("access token refreshed ({}); valid until {}", why, renewed.accessTokenExpiresAt());
    return renewed;
  }

  /** Spends the refresh token (with this host's key for a backend of protocol 2). */
  private TokenPair sendRefresh() throws IOException {
    return transport.send(
        "POST",
        ProtocolPaths.REFRESH,
        backendProtocol() >= 2
            ? new RefreshRequest(current.refreshToken(), enrollment.key().publicKeyBase64())
            : new RefreshRequest(current.refreshToken()),
        null,
        TokenPair.class,
        RetryMode.NOT_SENT_ONLY,
        null);
  }

  private Credentials register(String why) throws IOException {
    if (!autoRegister) {
      throw new RegistrationException(
          "the agent must register (" + why + ") but AGENT_AUTO_REGISTER is false");
    }
    boolean keyed = backendProtocol() >= 2;
    boolean proving = keyed && enrollment.hasKey();
    if (bootstrapToken.isEmpty() && !proving) {
      throw new RegistrationException(
          "the agent must register (" + why + ") but AGENT_TOKEN is not set");
    }
    RegisterRequest request = keyed ? withKey(identity.get(), proving) : identity.get();
    registerAttempts++;
    if (registerAttempts == 1) {
      log.info("registering with {} as agent {} ({})", transport.baseUrl(), request.agentId(), why);
    } else {
      log.debug("registering again (attempt {}): {}", registerAttempts, why);
    }
    Instant now = clock.instant();
    return keep(sendRegistration(request), now);
  }

  /** The request with this host's key and, when it already has one, a proof of it. */
  private RegisterRequest withKey(RegisterRequest request, boolean proving) throws IOException {
    AgentKey key = enrollment.key();
    IdentityProof proof = null;
    if (proving) {
      IdentityChallenge challenge =
          transport.send(
              "POST",
              ProtocolPaths.challenge(request.agentId()),
              null,
              null,
              IdentityChallenge.class,
              RetryMode.SAFE,
              null);
      proof = key.prove(request.agentId(), challenge.challenge());
    }
    return request.withKey(ProtocolPaths.PROTOCOL_VERSION, key.publicKeyBase64(), proof);
  }

  /** Sends the registration; a refusal the operator must act on is a RegistrationException. */
  private RegisterResponse sendRegistration(RegisterRequest request) throws IOException {
    try {
      return transport.send(
          "POST",
          ProtocolPaths.REGISTER,
          request,
          bootstrapToken.map(Secret::reveal).orElse(null),
          RegisterResponse.class,
          RetryMode.SAFE,
          null);
    } catch (BackendHttpException e) {
      if (e.code() == ErrorCode.AGENT_ID_IN_USE) {
        throw new RegistrationException(
            "the backend refused to register this agent: agent id "
                + request.agentId()
                + " is bound to another key than this host's ("
                + enrollment.keyFile()
                + "). If this host was reinstalled or its state directory lost, an operator"
                + " releases the id with 'vm-backend agents reset "
                + request.agentId()
                + "'; if another host uses this AGENT_ID, give this one its own",
            e);
      }
      if (e.status() == 401 || e.status() == 403) {
        throw new RegistrationException(
            "the backend refused to register this agent: "
                + e.getMessage()
                + " (check AGENT_TOKEN; a revoked agent cannot register again)",
            e);
      }
      throw e;
    }
  }

  /** Checks the registration's answer and keeps its credentials (and certificate). */
  private Credentials keep(RegisterResponse response, Instant now) throws IOException {
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
    if (response.clientCertificate() != null) {
      enrollment.accept(response.clientCertificate());
      certificateUnconfirmed = true;
    }
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

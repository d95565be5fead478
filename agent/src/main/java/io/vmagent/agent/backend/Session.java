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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's standing with the backend: registers when it has no credentials (or they were
 * rejected), keeps them in the {@link CredentialsStore}, refreshes the access token before it
 * expires and once after a 401. With a backend of protocol 2 it registers with its key (and a proof
 * of it, so no bootstrap token is needed again), and keeps its client certificate renewed through
 * the {@link Enrollment}. Every token received is registered with the {@link SecretMasker} so it
 * can never reach a log line. Lifetimes run on the monotonic clock from the moment an answer came,
 * with the lifetime the backend gave: this host's wall clock is never compared with the backend's
 * timestamps, so a skewed or stepped clock changes nothing. Each answer that carries the backend's
 * clock feeds the {@link ClockOffset}.
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
  private final LongSupplier nanoTime;
  private final ClockOffset offset;
  private final RefreshRate refreshRate;

  // Instants below are System.nanoTime() values (Linux's CLOCK_MONOTONIC: nanoseconds since boot,
  // so Long.MIN_VALUE and Long.MAX_VALUE serve as "at once" and "never").
  private final Object lock = new Object();
  private Credentials current; // guarded by lock
  private long currentReceived; // guarded by lock; when current was asked for
  private boolean loaded; // guarded by lock
  private int registerAttempts; // guarded by lock
  private volatile Integer backendProtocol; // null until the backend said
  private long nextProtocolProbe = Long.MIN_VALUE; // guarded by lock
  private long nextRenewal = Long.MIN_VALUE; // guarded by lock
  // Before this instant nothing about the credentials can be due, so a request takes them as they
  // are instead of asking the tokens and the certificate again.
  private long recheckAt = Long.MIN_VALUE; // guarded by lock
  private volatile boolean certificateUnconfirmed;

  /**
   * @param bootstrapToken {@code AGENT_TOKEN}, used to register
   * @param autoRegister {@code AGENT_AUTO_REGISTER}
   * @param identity what the agent says about itself when it registers
   * @param enrollment the agent's key and issued client certificate
   * @param clock this host's wall clock: dates kept credentials, and is what the offset measures
   */
  public Session(
      HttpTransport transport,
      CredentialsStore store,
      Optional<Secret> bootstrapToken,
      boolean autoRegister,
      Supplier<RegisterRequest> identity,
      Enrollment enrollment,
      Clock clock) {
    this(
        transport,
        store,
        bootstrapToken,
        autoRegister,
        identity,
        enrollment,
        clock,
        System::nanoTime);
  }

  Session(
      HttpTransport transport,
      CredentialsStore store,
      Optional<Secret> bootstrapToken,
      boolean autoRegister,
      Supplier<RegisterRequest> identity,
      Enrollment enrollment,
      Clock clock,
      LongSupplier nanoTime) {
    this.transport = Objects.requireNonNull(transport, "transport == null");
    this.store = Objects.requireNonNull(store, "store == null");
    this.bootstrapToken = bootstrapToken;
    this.autoRegister = autoRegister;
    this.identity = identity;
    this.enrollment = Objects.requireNonNull(enrollment, "enrollment == null");
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.offset = new ClockOffset(clock, nanoTime);
    this.refreshRate = new RefreshRate(nanoTime);
    bootstrapToken.ifPresent(token -> SecretMasker.register(token.reveal()));
  }

  /**
   * Why an agent with this token and state directory cannot register when it starts, or empty when
   * it can: it keeps credentials, or a key it can prove, or has a bootstrap token. Without any the
   * daemon would retry registration forever, so {@code config check} and the daemon say so first.
   */
  public static Optional<String> cannotRegister(
      Optional<Secret> bootstrapToken, boolean autoRegister, Path stateDir) {
    Path credentials = stateDir.resolve(CredentialsStore.FILE_NAME);
    if (Files.exists(credentials) || AgentKey.exists(stateDir)) {
      return Optional.empty();
    }
    if (!autoRegister) {
      return Optional.of(
          "AGENT_AUTO_REGISTER is false and no credentials are kept in "
              + credentials
              + ": the agent cannot register");
    }
    if (bootstrapToken.isEmpty()) {
      return Optional.of(
          "AGENT_TOKEN is not set and no credentials are kept in "
              + credentials
              + ": the agent cannot register until AGENT_TOKEN holds a bootstrap token"
              + " ('vm-backend token create')");
    }
    return Optional.empty();
  }

  /** The registered agent id, once registered. */
  public Optional<String> agentId() {
    synchronized (lock) {
      return Optional.ofNullable(current).map(Credentials::agentId);
    }
  }

  /** How far this host's clock is from the backend's, as the answers so far tell. */
  public ClockOffset clockOffset() {
    return offset;
  }

  /** The current credentials, registering or refreshing first when needed. */
  public Credentials credentials() throws IOException {
    synchronized (lock) {
      if (!loaded) {
        loaded = true;
        Credentials kept = usable(store.load().orElse(null));
        if (kept != null) {
          accept(kept, receivedOf(kept.obtainedAt()));
          log.info("using kept credentials of agent {} from {}", kept.agentId(), store.file());
        }
      }
      long now = nanoTime.getAsLong();
      if (current != null && now < recheckAt) {
        return current;
      }
      if (current == null) {
        register("no credentials are kept");
      } else if (enrollment.expired(now) && knownProtocol() >= 2) {
        enrollment.withdrawIfExpired(now);
        register("the client certificate expired while the agent was away");
      } else if (now >= refreshAt()) {
        refresh(
            "the access token, received "
                + (now - currentReceived) / 1_000_000_000L
                + " s ago, lives "
                + current.accessTokenLifetime().toSeconds()
                + " s");
      }
      renewCertificateIfDue(now);
      recheckAt = nextCheck(now);
      return current;
    }
  }

  /**
   * When kept credentials were asked for, on the monotonic clock: as long ago as this host's clock
   * says (a date in the future counts as now).
   */
  private long receivedOf(Instant obtainedAt) {
    Duration age = Duration.between(obtainedAt, clock.instant());
    long now = nanoTime.getAsLong();
    return age.isNegative() ? now : now - age.toNanos();
  }

  /** When the access token is due for a refresh, on the monotonic clock. */
  private long refreshAt() {
    return currentReceived + current.accessTokenRefreshAfter().toNanos();
  }

  /** The first instant at which {@link #credentials()} may have to refresh, register or renew. */
  private long nextCheck(long now) {
    long renewal = enrollment.renewalAt();
    if (renewal <= now) {
      if (backendProtocol != null && backendProtocol < 2) {
        // An old backend issues no certificates, so neither renewal nor expiry ever applies.
        renewal = Long.MAX_VALUE;
      } else {
        // Due but not done: the next try waits for the renewal's or the protocol probe's backoff.
        renewal = nextRenewal;
        if (backendProtocol == null && nextProtocolProbe > renewal) {
          renewal = nextProtocolProbe;
        }
      }
    }
    return Math.min(refreshAt(), renewal);
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
  private void renewCertificateIfDue(long now) {
    if (!enrollment.renewalDue(now) || now < nextRenewal || knownProtocol() < 2) {
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
        log.info("binding this agent's key to its id with a token refresh");
        refresh("binding this agent's key to its id");
        renewed = fetchCertificate();
      }
      enrollment.accept(renewed.certificate(), renewed.serverTime());
      certificateUnconfirmed = true;
    } catch (IOException e) {
      nextRenewal = now + Duration.ofSeconds(60).toNanos();
      log.warn(
          "cannot renew the client certificate now ({}); retrying in a minute", e.getMessage());
    }
  }

  private ClientCertificate fetchCertificate() throws IOException {
    Instant sentAt = clock.instant();
    long sent = nanoTime.getAsLong();
    ClientCertificate answer =
        transport.send(
            "POST",
            ProtocolPaths.certificate(current.agentId()),
            null,
            current.accessToken(),
            ClientCertificate.class,
            RetryMode.SAFE,
            null);
    offset.sample(answer.serverTime(), sentAt, nanoTime.getAsLong() - sent);
    return answer;
  }

  /**
   * The protocol version the backend speaks, asked once; an IOException while the backend cannot be
   * asked, so that a caller neither sends what an older backend refuses nor gives up what a newer
   * one would take.
   */
  public int protocolVersion() throws IOException {
    synchronized (lock) {
      return backendProtocol();
    }
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
    if (backendProtocol == null && nanoTime.getAsLong() >= nextProtocolProbe) {
      try {
        return backendProtocol();
      } catch (IOException e) {
        nextProtocolProbe = nanoTime.getAsLong() + Duration.ofSeconds(30).toNanos();
      }
    }
    Integer known = backendProtocol;
    return known == null ? 1 : known;
  }

  /**
   * The backend's protocol version, asked once: the agent sends protocol-2 fields only to a backend
   * that names 2 or more, since an older one refuses members it does not know.
   */
  private int backendProtocol() throws IOException {
    Integer known = backendProtocol;
    if (known == null) {
      try {
        ServiceHealth health =
            transport.send(
                "GET", ProtocolPaths.HEALTH, null, null, ServiceHealth.class, RetryMode.SAFE, null);
        known = health.protocolVersion() == null ? 1 : health.protocolVersion();
      } catch (BackendHttpException e) {
        if (e.status() != 404) {
          throw e;
        }
        // A backend without the health endpoint predates protocol versions.
        known = 1;
      }
      backendProtocol = known;
      log.debug("the backend speaks protocol version {}", known);
    }
    return known;
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
      if (current == null) {
        register("no credentials are kept");
      } else {
        log.warn("the backend refused the access token; refreshing it");
        refresh("the backend refused the access token");
      }
      recheckAt = Long.MIN_VALUE;
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

  /** Spends the refresh token for a new pair, which becomes the current credentials. */
  private void refresh(String why) throws IOException {
    long now = nanoTime.getAsLong();
    if (now - currentReceived >= current.refreshTokenLifetime().toNanos()) {
      register(
          "the refresh token, received "
              + (now - currentReceived) / 1_000_000_000L
              + " s ago, has expired");
      return;
    }
    refreshRate.refreshed(current.accessTokenLifetime());
    Instant sentAt = clock.instant();
    TokenPair pair;
    try {
      pair = sendRefresh();
    } catch (BackendHttpException e) {
      if (e.status() == 401 || e.status() == 400 || e.status() == 403) {
        log.warn("the backend refused the refresh token ({}); registering again", e.code().name());
        register("the backend refused the refresh token (" + e.code() + ")");
        return;
      }
      throw e;
    }
    offset.sample(pair.serverTime(), sentAt, nanoTime.getAsLong() - now);
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
            sentAt,
            pair.expiresIn(),
            secondsBetween(pair.serverTime(), pair.refreshTokenExpiresAt()));
    Credentials spent = current;
    accept(renewed, now);
    store.save(renewed);
    if (!spent.refreshToken().equals(renewed.refreshToken())) {
      forget(spent);
    }
    log.debug(
        "access token refreshed ({}); it lives {} s",
        why,
        renewed.accessTokenLifetime().toSeconds());
  }

  /** Seconds from the backend's clock at {@code serverTime} to {@code until}; null when unknown. */
  private static Long secondsBetween(Instant serverTime, Instant until) {
    return serverTime == null ? null : Math.max(0, Duration.between(serverTime, until).toSeconds());
  }

  /** Makes {@code credentials}, asked for at {@code received}, the current ones. */
  private void accept(Credentials credentials, long received) {
    remember(credentials);
    current = credentials;
    currentReceived = received;
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

  /** Registers; the new credentials become the current ones. */
  private void register(String why) throws IOException {
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
    if (backendProtocol() < 3) {
      // An older backend refuses members it does not know; it takes the names alone.
      request = request.withOperations(null);
    }
    if (backendProtocol() < 4) {
      request = request.withMigration(null);
    }
    registerAttempts++;
    if (registerAttempts == 1) {
      log.info("registering with {} as agent {} ({})", transport.baseUrl(), request.agentId(), why);
    } else {
      log.debug("registering again (attempt {}): {}", registerAttempts, why);
    }
    Instant sentAt = clock.instant();
    long sent = nanoTime.getAsLong();
    RegisterResponse response = sendRegistration(request);
    offset.sample(response.serverTime(), sentAt, nanoTime.getAsLong() - sent);
    keep(response, sentAt, sent);
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
      String cause = refusalCause(e, request.agentId());
      if (cause != null) {
        throw new RegistrationException(
            "the backend refused to register this agent: " + e.getMessage() + " (" + cause + ")",
            e);
      }
      throw e;
    }
  }

  /**
   * What the operator should know of a refused registration, told apart by the problem's code; null
   * when the answer is not a refusal of the agent or its token.
   */
  private static String refusalCause(BackendHttpException e, String agentId) {
    if (e.code() == ErrorCode.AGENT_REVOKED) {
      return "an operator revoked agent "
          + agentId
          + "; it cannot register again under this id, whatever AGENT_TOKEN holds";
    }
    return switch (e.status()) {
      case 401 ->
          "the bootstrap token was refused: check AGENT_TOKEN for a typing error, or ask an"
              + " operator for a new token if it was revoked, expired or used up";
      // A backend older than AGENT_REVOKED answers a revoked agent with a plain 403 too.
      case 403 -> "check AGENT_TOKEN; a revoked agent cannot register again";
      default -> null;
    };
  }

  /** Checks the registration's answer and keeps its credentials (and certificate). */
  private void keep(RegisterResponse response, Instant sentAt, long sent) throws IOException {
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
            sentAt,
            response.expiresIn(),
            secondsBetween(response.serverTime(), response.refreshTokenExpiresAt()));
    Credentials previous = current;
    accept(registered, sent);
    store.save(registered);
    registerAttempts = 0;
    if (response.clientCertificate() != null) {
      enrollment.accept(response.clientCertificate(), response.serverTime());
      certificateUnconfirmed = true;
    }
    if (previous != null && !previous.refreshToken().equals(registered.refreshToken())) {
      forget(previous);
    }
    log.info(
        "registered as agent {}; credentials kept in {} (mode 0600)",
        registered.agentId(),
        store.file());
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

package io.vmagent.backend;

import io.vmagent.backend.config.BackendConfig;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.config.Limits;
import io.vmagent.backend.config.Retention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The reference backend, embeddable: {@code VmBackend.builder().dataDir(dir).build().start()}
 * starts the HTTPS API on the configured address and returns a {@link RunningBackend}.
 */
public final class VmBackend {
  private final BackendConfig config;

  private VmBackend(BackendConfig config) {
    this.config = config;
  }

  /** A builder with the defaults documented on each method. */
  public static Builder builder() {
    return new Builder();
  }

  /** The validated configuration. */
  public BackendConfig config() {
    return config;
  }

  /** Opens the database, prepares keys and certificates and starts serving. */
  public RunningBackend start() throws Exception {
    return RunningBackend.start(config);
  }

  /** Collects settings; {@link #build()} validates them. */
  public static final class Builder {
    private Path dataDir;
    private String host = "127.0.0.1";
    private int port = 8443;
    private ClientAuth clientAuth = ClientAuth.OPTIONAL;
    private Path clientCaPath;
    private Path tlsCertificatePath;
    private Path tlsKeyPath;
    private final List<String> subjectAltNames = new ArrayList<>();
    private String jdbcUrl;
    private String dbUser;
    private String dbPassword;
    private String dbSchema;
    private int dbPoolSize = 10;
    private Duration accessTokenTtl = Duration.ofMinutes(10);
    private Duration refreshTokenTtl = Duration.ofDays(30);
    private Duration leaseDuration = Duration.ofSeconds(60);
    private Duration defaultHeartbeatInterval = Duration.ofSeconds(30);
    private int offlineAfterMissedHeartbeats = 3;
    private Duration defaultCommandDeadline = Duration.ofMinutes(5);
    private Duration pollRecheckInterval = Duration.ofSeconds(1);
    private String latestAgentVersion;
    private int maxBodyBytes = 64 * 1024;
    private int maxBatchBytes = 1024 * 1024;
    private int httpThreads = 200;
    private String operatorToken;
    private Path caCertificatePath;
    private Path caKeyPath;
    private Duration agentCertificateLifetime = Duration.ofDays(3);
    private Duration metricsRetention = Retention.DEFAULTS.metrics();
    private Duration eventsRetention = Retention.DEFAULTS.events();
    private Duration commandsRetention = Retention.DEFAULTS.commands();
    private Duration tokensRetention = Retention.DEFAULTS.tokens();
    private Duration metricsHistoryRetention = Retention.DEFAULTS.metricsHistory();
    private Limits limits = Limits.defaults();

    private Builder() {}

    /** Directory for the database, keys and certificates. Required. */
    public Builder dataDir(Path dataDir) {
      this.dataDir = Objects.requireNonNull(dataDir, "dataDir == null");
      return this;
    }

    /** Address and port to listen on. Default 127.0.0.1:8443; port 0 picks a free port. */
    public Builder listen(String host, int port) {
      this.host = Objects.requireNonNull(host, "host == null");
      this.port = port;
      return this;
    }

    /**
     * Client certificates. Default {@link ClientAuth#OPTIONAL}: asked for, checked against the
     * caller when presented; {@link ClientAuth#REQUIRED} needs one on every agent and operator
     * endpoint but registration.
     */
    public Builder clientAuth(ClientAuth clientAuth) {
      this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth == null");
      return this;
    }

    /**
     * PEM file of further CAs client certificates may chain to (an operator's own PKI). Default:
     * only the fleet CA.
     */
    public Builder clientCa(Path clientCaPath) {
      this.clientCaPath = clientCaPath;
      return this;
    }

    /** The server's own certificate chain and key (PEM). Default: issued by the dev CA. */
    public Builder tlsCertificate(Path certificate, Path key) {
      this.tlsCertificatePath = certificate;
      this.tlsKeyPath = key;
      return this;
    }

    /** Extra DNS names or IPs for the generated server certificate. Default: none. */
    public Builder subjectAltName(String name) {
      this.subjectAltNames.add(Objects.requireNonNull(name, "name == null"));
      return this;
    }

    /** PostgreSQL JDBC URL. Default: none, the embedded H2 database in the data directory. */
    public Builder jdbcUrl(String jdbcUrl) {
      this.jdbcUrl = jdbcUrl;
      return this;
    }

    /** Database user and password. Default: none (the URL's). */
    public Builder dbCredentials(String user, String password) {
      this.dbUser = user;
      this.dbPassword = password;
      return this;
    }

    /** Database schema, created if missing. Default: the connection's default schema. */
    public Builder dbSchema(String schema) {
      this.dbSchema = schema;
      return this;
    }

    /** Most pooled database connections. Default 10. */
    public Builder dbPoolSize(int size) {
      this.dbPoolSize = size;
      return this;
    }

    /** Lifetime of access tokens. Default 10 minutes. */
    public Builder accessTokenTtl(Duration ttl) {
      this.accessTokenTtl = ttl;
      return this;
    }

    /** Lifetime of refresh tokens. Default 30 days. */
    public Builder refreshTokenTtl(Duration ttl) {
      this.refreshTokenTtl = ttl;
      return this;
    }

    /** How long a delivered command stays leased before it is delivered again. Default 60 s. */
    public Builder leaseDuration(Duration lease) {
      this.leaseDuration = lease;
      return this;
    }

    /** Heartbeat interval assumed for agents that do not state theirs. Default 30 s. */
    public Builder defaultHeartbeatInterval(Duration interval) {
      this.defaultHeartbeatInterval = interval;
      return this;
    }

    /** Heartbeat intervals an agent may miss before it is offline. Default 3. */
    public Builder offlineAfterMissedHeartbeats(int missed) {
      this.offlineAfterMissedHeartbeats = missed;
      return this;
    }

    /** Deadline of commands queued without one. Default 5 minutes. */
    public Builder defaultCommandDeadline(Duration deadline) {
      this.defaultCommandDeadline = deadline;
      return this;
    }

    /**
     * How often a waiting long poll re-checks the database for commands queued by another instance.
     * Default 1 s. (Commands queued by this instance wake it at once.)
     */
    public Builder pollRecheckInterval(Duration interval) {
      this.pollRecheckInterval = interval;
      return this;
    }

    /** Newest agent version, announced to agents. Default: none. */
    public Builder latestAgentVersion(String version) {
      this.latestAgentVersion = version;
      return this;
    }

    /** Largest request body, and largest metrics/events/results body. Default 64 KiB / 1 MiB. */
    public Builder maxBodyBytes(int body, int batch) {
      this.maxBodyBytes = body;
      this.maxBatchBytes = batch;
      return this;
    }

    /**
     * Most server threads. Default 200. Waiting long polls hold none, so this bounds only the
     * requests being worked on at once.
     */
    public Builder httpThreads(int threads) {
      this.httpThreads = threads;
      return this;
    }

    /** The operator token. Default: read from, or generated into, DATA_DIR/operator.token. */
    public Builder operatorToken(String token) {
      this.operatorToken = token;
      return this;
    }

    /**
     * The fleet CA's certificate and key (PEM), the operator's own, given to every instance.
     * Default: none, the development CA of DATA_DIR/tls, shared with other instances through the
     * database.
     */
    public Builder certificateAuthority(Path certificate, Path key) {
      this.caCertificatePath = certificate;
      this.caKeyPath = key;
      return this;
    }

    /** Lifetime of the client certificates issued to agents. Default 3 days. */
    public Builder agentCertificateLifetime(Duration lifetime) {
      this.agentCertificateLifetime = lifetime;
      return this;
    }

    /** How long metrics samples are kept after they arrived. Default 7 days. */
    public Builder metricsRetention(Duration retention) {
      this.metricsRetention = retention;
      return this;
    }

    /**
     * How long the metrics history's one-minute buckets are kept after a sample last added to them.
     * Default 7 days.
     */
    public Builder metricsHistoryRetention(Duration retention) {
      this.metricsHistoryRetention = retention;
      return this;
    }

    /** How long VM lifecycle events are kept after they arrived. Default 30 days. */
    public Builder eventsRetention(Duration retention) {
      this.eventsRetention = retention;
      return this;
    }

    /**
     * How long succeeded, failed and expired commands are kept after they ended. Default 30 days.
     */
    public Builder commandsRetention(Duration retention) {
      this.commandsRetention = retention;
      return this;
    }

    /**
     * How long refresh and bootstrap tokens are kept after they stopped being usable (spent,
     * expired, revoked chain; single-use token used). Default 7 days.
     */
    public Builder tokensRetention(Duration retention) {
      this.tokensRetention = retention;
      return this;
    }

    /**
     * What one client may hold or do (connections, polls, rates, quotas). Default {@link
     * Limits#defaults()}.
     */
    public Builder limits(Limits limits) {
      this.limits = Objects.requireNonNull(limits, "limits == null");
      return this;
    }

    /** Validates the settings. */
    public VmBackend build() {
      if (dataDir == null) {
        throw new IllegalStateException("dataDir is required");
      }
      return new VmBackend(
          new BackendConfig(
              dataDir,
              host,
              port,
              clientAuth,
              clientCaPath,
              tlsCertificatePath,
              tlsKeyPath,
              subjectAltNames,
              jdbcUrl,
              dbUser,
              dbPassword,
              dbSchema,
              dbPoolSize,
              accessTokenTtl,
              refreshTokenTtl,
              leaseDuration,
              defaultHeartbeatInterval,
              offlineAfterMissedHeartbeats,
              defaultCommandDeadline,
              pollRecheckInterval,
              latestAgentVersion,
              maxBodyBytes,
              maxBatchBytes,
              httpThreads,
              operatorToken,
              caCertificatePath,
              caKeyPath,
              agentCertificateLifetime,
              new Retention(
                  metricsRetention,
                  eventsRetention,
                  commandsRetention,
                  tokensRetention,
                  metricsHistoryRetention),
              limits));
    }
  }
}

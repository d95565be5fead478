package io.vmagent.backend;

import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.auth.SigningKey;
import io.vmagent.backend.client.OperatorClient;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.BackendConfig;
import io.vmagent.backend.files.SecureFiles;
import io.vmagent.backend.http.HttpsServer;
import io.vmagent.backend.http.Routes;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.metrics.BackendMetrics;
import io.vmagent.backend.metrics.FleetMetrics;
import io.vmagent.backend.service.CommandService;
import io.vmagent.backend.service.Drains;
import io.vmagent.backend.service.Migrations;
import io.vmagent.backend.service.OfflineWatch;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.backend.service.RetentionSweep;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.IdentityStore;
import io.vmagent.backend.store.RetentionStore;
import io.vmagent.backend.store.TokenStore;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.backend.tls.FleetAuthority;
import io.vmagent.backend.tls.OperatorCertificate;
import io.vmagent.backend.tls.TlsMaterial;
import io.vmagent.backend.web.WebHandler;
import io.vmagent.protocol.CommandView;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.MigrationView;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.StatusOverview;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A started backend: its address, credentials and CA, and a few operator shortcuts. */
public final class RunningBackend implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunningBackend.class);

  /** The file in the data directory naming the running backend's URL, for the command line. */
  public static final String ENDPOINT_FILE = "backend.url";

  /** The file in the data directory holding the operator token (0600). */
  public static final String OPERATOR_TOKEN_FILE = "operator.token";

  private final BackendConfig config;
  private final Database database;
  private final HttpsServer server;
  private final TlsMaterial tls;
  private final String operatorToken;
  private final RegistrationService registration;
  private final CommandService commands;
  private final OfflineWatch offlineWatch;
  private final RetentionSweep retention;
  private final Migrations migrations;
  private final Drains drains;
  private final Throttles throttles;
  private final URI baseUrl;

  private RunningBackend(
      BackendConfig config,
      Database database,
      HttpsServer server,
      TlsMaterial tls,
      String operatorToken,
      RegistrationService registration,
      CommandService commands,
      OfflineWatch offlineWatch,
      RetentionSweep retention,
      Migrations migrations,
      Drains drains,
      Throttles throttles) {
    this.config = config;
    this.database = database;
    this.server = server;
    this.tls = tls;
    this.operatorToken = operatorToken;
    this.registration = registration;
    this.commands = commands;
    this.offlineWatch = offlineWatch;
    this.retention = retention;
    this.migrations = migrations;
    this.drains = drains;
    this.throttles = throttles;
    String host = config.host();
    if (host.equals("0.0.0.0") || host.isEmpty()) {
      host = "127.0.0.1";
    } else if (host.equals("::")) {
      host = "[::1]";
    } else if (host.contains(":")) {
      host = "[" + host + "]";
    }
    this.baseUrl = URI.create("https://" + host + ":" + server.port());
  }

  static RunningBackend start(BackendConfig config) throws Exception {
    SecureFiles.privateDirectory(config.dataDir());
    SigningKey signingKey = SigningKey.loadOrCreate(config.dataDir());
    String operatorToken = operatorToken(config);
    BackendMetrics metrics = new BackendMetrics();
    Database database = Database.open(config, metrics);
    try {
      // Every decision in time (leases, deadlines, offline, token lifetimes) takes the database's
      // clock, so instances whose own clocks differ agree.
      return serve(config, database, signingKey, operatorToken, metrics, database.clock());
    } catch (Exception e) {
      database.close();
      throw e;
    }
  }

  private static RunningBackend serve(
      BackendConfig config,
      Database database,
      SigningKey signingKey,
      String operatorToken,
      BackendMetrics metrics,
      Clock clock)
      throws Exception {
    Wiring wiring = new Wiring(config, database, clock);
    Throttles throttles = new Throttles(config.limits());
    DevCertificateAuthority authority =
        FleetAuthority.resolve(config, sharedAuthority(database, wiring.identities, clock));
    TlsMaterial tls = TlsMaterial.loadOrCreate(config, authority);
    OperatorCertificate.ensure(config.dataDir().resolve("tls"), authority);
    publishKeys(database, wiring.tokens, signingKey, operatorToken, clock.instant());
    String version = backendVersion();
    Routes.Services services = wiring.services(signingKey, authority, throttles, version);
    metrics.watch(fleet(services));
    HttpsServer server =
        HttpsServer.start(
            config.host(),
            config.port(),
            tls,
            config.clientAuth(),
            config.httpThreads(),
            config.limits().maxConnections(),
            config.limits().newConnectionsPerSecond(),
            WebHandler.beside(
                Routes.handler(services, metrics),
                new WebHandler(services.sessions(), services.auth(), throttles)));
    RunningBackend running =
        new RunningBackend(
            config,
            database,
            server,
            tls,
            operatorToken,
            services.registration(),
            services.commands(),
            new OfflineWatch(services.agents()::liveness, offlineWatchPeriod(config)),
            new RetentionSweep(
                database,
                new RetentionStore(database.dialect()),
                config.retention(),
                clock,
                metrics::pruned),
            services.migrations().start(),
            services.drains().start(),
            throttles);
    running.announce(version);
    return running;
  }

  /** The fleet's figures for the metrics, read from the services at each scrape. */
  private static FleetMetrics.Source fleet(Routes.Services services) {
    return new FleetMetrics.Source() {
      @Override
      public Map<String, Integer> agentsByStatus() {
        StatusOverview overview = services.agents().overview(false);
        return Map.of(
            Connectivity.ONLINE.wire(), overview.agentsOnline(),
            Connectivity.OFFLINE.wire(), overview.agentsOffline());
      }

      @Override
      public Map<String, Integer> commandsByState() {
        return services.commands().countsByState();
      }

      @Override
      public int waitingPolls() {
        return services.commands().waitingPolls();
      }
    };
  }

  private static void publishKeys(
      Database database,
      TokenStore tokens,
      SigningKey signingKey,
      String operatorToken,
      Instant now) {
    database.inTransaction(
        "publish keys",
        c -> {
          tokens.ensureSigningKey(c, signingKey.keyId(), signingKey.publicJwkJson(), now);
          tokens.ensureOperatorToken(c, Secrets.hash(operatorToken), now);
          return null;
        });
  }

  /** Writes the endpoint file for the command line and logs what is served. */
  private void announce(String version) throws IOException {
    Files.writeString(
        config.dataDir().resolve(ENDPOINT_FILE), baseUrl + "\n", StandardCharsets.UTF_8);
    LOG.info(
        "vm-backend {} serving {} (client certificates: {}, database: {})",
        version,
        baseUrl,
        config.clientAuth(),
        config.embeddedDatabase() ? "embedded H2" : database.dialect());
  }

  private static FleetAuthority.Shared sharedAuthority(
      Database database, IdentityStore identities, Clock clock) {
    return new FleetAuthority.Shared() {
      @Override
      public java.util.Optional<String[]> load() {
        return database.inTransaction("read the fleet CA", identities::fleetCa);
      }

      @Override
      public boolean publish(String certificatePem, String keyPem) {
        return database.inTransaction(
            "publish the fleet CA",
            c -> identities.storeFleetCa(c, certificatePem, keyPem, clock.instant()));
      }
    };
  }

  /** Often enough to notice within a heartbeat interval, but at least a second apart. */
  private static Duration offlineWatchPeriod(BackendConfig config) {
    Duration interval = config.defaultHeartbeatInterval();
    return interval.compareTo(Duration.ofSeconds(5)) > 0
        ? Duration.ofSeconds(5)
        : interval.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : interval;
  }

  private static String operatorToken(BackendConfig config) throws IOException {
    if (config.operatorToken() != null) {
      return config.operatorToken();
    }
    Path file = config.dataDir().resolve(OPERATOR_TOKEN_FILE);
    if (Files.exists(file)) {
      return Files.readString(file, StandardCharsets.UTF_8).trim();
    }
    String token = Secrets.newToken(Secrets.OPERATOR_PREFIX);
    SecureFiles.writeSecret(file, (token + "\n").getBytes(StandardCharsets.UTF_8));
    return token;
  }

  private static String backendVersion() {
    String version = RunningBackend.class.getPackage().getImplementationVersion();
    return version == null ? "dev" : version;
  }

  /** The API's base URL, e.g. {@code https://127.0.0.1:8443}. */
  public URI baseUrl() {
    return baseUrl;
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** The development CA's certificate ({@code DATA_DIR/tls/ca.pem}), for AGENT_SSL_CA_PATH. */
  public Path caCertificatePath() {
    return tls.authority().certificatePath();
  }

  /** The operator token. */
  public String operatorToken() {
    return operatorToken;
  }

  /** The configuration it runs with. */
  public BackendConfig config() {
    return config;
  }

  /** A bootstrap token (AGENT_TOKEN); {@code ttl} null for no expiry. */
  public String createBootstrapToken(boolean singleUse, Duration ttl) {
    return registration
        .createBootstrapToken(
            new CreateBootstrapTokenRequest(
                "created in-process", singleUse, ttl == null ? null : ttl.toSeconds()))
        .token();
  }

  /** An operator client for this backend, over HTTPS, presenting the local operator certificate. */
  public OperatorClient operator() throws IOException {
    return OperatorClient.create(
        baseUrl,
        TlsTrust.context(caCertificatePath(), operatorCertificatePath(), operatorKeyPath()),
        operatorToken);
  }

  /** Queues a command for the agent. */
  public CommandView queueCommand(String agentId, String operation, Map<String, String> params) {
    return commands.queue(new QueueCommandRequest(agentId, operation, params, null));
  }

  /** Waits up to {@code timeout} for the command to finish and returns it as it then stands. */
  public CommandView awaitCommand(String commandId, Duration timeout) throws InterruptedException {
    Instant until = Instant.now().plus(timeout);
    while (true) {
      long left = Math.max(0, Duration.between(Instant.now(), until).toSeconds());
      CommandView view = commands.view(commandId, (int) Math.min(left, 30));
      if (view.finished() || !Instant.now().isBefore(until)) {
        return view;
      }
    }
  }

  /** Waits up to {@code timeout} for the migration to end and returns it as it then stands. */
  public MigrationView awaitMigration(String migrationId, Duration timeout)
      throws InterruptedException {
    long until = System.nanoTime() + timeout.toNanos();
    MigrationView view = migrations.view(migrationId);
    while (!view.finished() && System.nanoTime() < until) {
      Thread.sleep(100);
      view = migrations.view(migrationId);
    }
    return view;
  }

  /** How many agents' long polls wait in this instance now (they hold no thread). */
  public int waitingPolls() {
    return commands.waitingPolls();
  }

  /**
   * Issues a client certificate from the fleet CA, as an operator's own PKI would (the agent named
   * by the common name, no role URI), and writes it (cert 0644, key 0600).
   */
  public void issueClientCertificate(String commonName, Path certificateFile, Path keyFile)
      throws IOException {
    tls.authority().issueClient(commonName).write(certificateFile, keyFile);
  }

  /** The fleet CA, to issue agent and operator certificates from. */
  public DevCertificateAuthority certificateAuthority() {
    return tls.authority();
  }

  /** The operator certificate kept for the command line on this machine. */
  public Path operatorCertificatePath() {
    return config.dataDir().resolve("tls").resolve(OperatorCertificate.CERTIFICATE_FILE);
  }

  /** The key of {@link #operatorCertificatePath()}. */
  public Path operatorKeyPath() {
    return config.dataDir().resolve("tls").resolve(OperatorCertificate.KEY_FILE);
  }

  /** The database, for inspection by tools and tests. */
  public DataSource dataSource() {
    return database.dataSource();
  }

  /** Stops serving and closes the database. */
  @Override
  public void close() throws IOException {
    long started = System.nanoTime();
    drains.close();
    migrations.close();
    offlineWatch.close();
    retention.close();
    throttles.close();
    commands.close();
    try {
      server.close();
    } finally {
      long serverStopped = System.nanoTime();
      database.close();
      Files.deleteIfExists(config.dataDir().resolve(ENDPOINT_FILE));
      LOG.info(
          "vm-backend stopped (server {} ms, database {} ms)",
          (serverStopped - started) / 1_000_000,
          (System.nanoTime() - serverStopped) / 1_000_000);
    }
  }
}

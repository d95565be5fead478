package io.vmagent.backend.cli;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.VmBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.backend.config.Limits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vm-backend serve}: runs the HTTPS API until stopped. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run the backend.")
final class ServeCommand implements Callable<Integer> {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Database, keys, certificates (default: $VM_BACKEND_DATA_DIR, else /var/lib/vm-backend).")
  Path dataDir;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      defaultValue = "127.0.0.1:8443",
      description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0:8443 for all).")
  String listen;

  @Option(
      names = "--client-auth",
      paramLabel = "MODE",
      defaultValue = "optional",
      description =
          "Client certificates: off, optional (asked for; held to the caller when presented) or"
              + " required (every agent and operator endpoint but registration needs one; agents"
              + " enroll themselves) (default: ${DEFAULT-VALUE}).")
  String clientAuth;

  @Option(
      names = "--client-ca",
      paramLabel = "PEM",
      description = "Further CAs client certificates may chain to (an operator's own PKI).")
  Path clientCa;

  @Option(
      names = "--ca-cert",
      paramLabel = "PEM",
      description =
          "The fleet CA's certificate, the operator's own; give the same to every instance"
              + " (default: the development CA in DATA_DIR/tls, shared through the database).")
  Path caCert;

  @Option(names = "--ca-key", paramLabel = "PEM", description = "Key of --ca-cert.")
  Path caKey;

  @Option(
      names = "--agent-cert-lifetime",
      paramLabel = "DURATION",
      defaultValue = "3d",
      converter = Durations.class,
      description =
          "Lifetime of the client certificates agents get; they renew at two thirds of it"
              + " (default: ${DEFAULT-VALUE}).")
  Duration agentCertLifetime;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Server certificate chain (default: issued by the development CA).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Server private key, with --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--san",
      paramLabel = "NAME",
      description = "Extra DNS name or IP for the generated server certificate; repeatable.")
  List<String> subjectAltNames = new ArrayList<>();

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description = "PostgreSQL JDBC URL (default: embedded H2 in DIR/db).")
  String jdbcUrl;

  @Option(names = "--db-user", paramLabel = "USER", description = "Database user.")
  String dbUser;

  @Option(
      names = "--db-password-file",
      paramLabel = "FILE",
      description = "File holding the database password (default: $VM_BACKEND_DB_PASSWORD).")
  Path dbPasswordFile;

  @Option(
      names = "--access-token-ttl",
      paramLabel = "DURATION",
      defaultValue = "10m",
      converter = Durations.Lifetime.class,
      description = "Access token lifetime (default: ${DEFAULT-VALUE}).")
  Duration accessTtl;

  @Option(
      names = "--refresh-token-ttl",
      paramLabel = "DURATION",
      defaultValue = "30d",
      converter = Durations.Lifetime.class,
      description = "Refresh token lifetime (default: ${DEFAULT-VALUE}).")
  Duration refreshTtl;

  @Option(
      names = "--lease",
      paramLabel = "DURATION",
      defaultValue = "60s",
      converter = Durations.Lifetime.class,
      description = "Command lease before redelivery (default: ${DEFAULT-VALUE}).")
  Duration lease;

  @Option(
      names = "--metrics-retention",
      paramLabel = "DURATION",
      defaultValue = "7d",
      converter = Durations.Retention.class,
      description =
          "Keep metrics samples this long after they arrived (default: ${DEFAULT-VALUE}).")
  Duration metricsRetention;

  @Option(
      names = "--metrics-history-retention",
      paramLabel = "DURATION",
      defaultValue = "7d",
      converter = Durations.Retention.class,
      description =
          "Keep the metrics history's one-minute buckets this long after a sample last added to"
              + " them (default: ${DEFAULT-VALUE}).")
  Duration metricsHistoryRetention;

  @Option(
      names = "--events-retention",
      paramLabel = "DURATION",
      defaultValue = "30d",
      converter = Durations.Retention.class,
      description =
          "Keep VM lifecycle events this long after they arrived (default: ${DEFAULT-VALUE}).")
  Duration eventsRetention;

  @Option(
      names = "--commands-retention",
      paramLabel = "DURATION",
      defaultValue = "30d",
      converter = Durations.Retention.class,
      description =
          "Keep succeeded, failed and expired commands this long after they ended (default:"
              + " ${DEFAULT-VALUE}).")
  Duration commandsRetention;

  @Option(
      names = "--tokens-retention",
      paramLabel = "DURATION",
      defaultValue = "7d",
      converter = Durations.Retention.class,
      description =
          "Keep refresh and bootstrap tokens this long after they stopped being usable (default:"
              + " ${DEFAULT-VALUE}).")
  Duration tokensRetention;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      defaultValue = "8000",
      description =
          "TLS connections held at once; past it none is accepted until one closes (default:"
              + " ${DEFAULT-VALUE}, for the launcher's 512 MiB heap).")
  int maxConnections;

  @Option(
      names = "--new-connections-per-second",
      paramLabel = "N",
      defaultValue = "300",
      description =
          "New connections (each a TLS handshake) let in per second from anyone; past it each"
              + " source address gets a tenth of it and is refused at once beyond (default:"
              + " ${DEFAULT-VALUE}).")
  int newConnectionsPerSecond;

  @Option(
      names = "--max-requests-in-flight",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "Requests worked on at once (waiting long polls excluded); past it 503 with Retry-After"
              + " (default: ${DEFAULT-VALUE}).")
  int maxRequestsInFlight;

  @Option(
      names = "--max-polls-per-agent",
      paramLabel = "N",
      defaultValue = "2",
      description =
          "Long polls one agent may hold waiting; a newer one answers the oldest at once (default:"
              + " ${DEFAULT-VALUE}).")
  int maxPollsPerAgent;

  @Option(
      names = "--failed-auth-burst",
      paramLabel = "N",
      defaultValue = "30",
      description =
          "Failed authentications from one address before 429 (default: ${DEFAULT-VALUE}).")
  int failedAuthBurst;

  @Option(
      names = "--failed-auth-per-minute",
      paramLabel = "N",
      defaultValue = "30",
      description =
          "Failed authentications one address may make a minute after its burst (default:"
              + " ${DEFAULT-VALUE}).")
  int failedAuthPerMinute;

  @Option(
      names = "--failed-auth-per-credential",
      paramLabel = "N",
      defaultValue = "10",
      description =
          "Failed attempts with one credential before 429; then one a minute (default:"
              + " ${DEFAULT-VALUE}).")
  int failedAuthPerCredential;

  @Option(
      names = "--agent-requests-per-minute",
      paramLabel = "N",
      defaultValue = "600",
      description =
          "Requests one agent may make to one endpoint a minute, in bursts of as many (default:"
              + " ${DEFAULT-VALUE}).")
  int agentRequestsPerMinute;

  @Option(
      names = "--registrations-per-token-per-minute",
      paramLabel = "N",
      defaultValue = "6000",
      description =
          "Registrations one bootstrap token may make a minute, in bursts of as many (default:"
              + " ${DEFAULT-VALUE}).")
  int registrationsPerTokenPerMinute;

  @Option(
      names = "--metrics-mib-per-agent-per-day",
      paramLabel = "MIB",
      defaultValue = "256",
      description =
          "Metrics one agent may send a day; past it 429 with Retry-After until its day is over"
              + " (default: ${DEFAULT-VALUE}).")
  long metricsMibPerAgentPerDay;

  @Option(
      names = "--latest-agent-version",
      paramLabel = "VERSION",
      description = "Newest agent version, announced to agents.")
  String latestAgentVersion;

  @Override
  public Integer call() throws Exception {
    int colon = listen.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("--listen must be HOST:PORT, got '" + listen + "'");
    }
    String host = listen.substring(0, colon).replace("[", "").replace("]", "");
    int port;
    try {
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--listen port must be a number, got '" + listen + "'");
    }
    String password =
        dbPasswordFile != null
            ? Files.readString(dbPasswordFile, StandardCharsets.UTF_8).trim()
            : System.getenv("VM_BACKEND_DB_PASSWORD");
    VmBackend.Builder builder = backend(host, port, password);
    subjectAltNames.forEach(builder::subjectAltName);
    serveUntilStopped(builder.build().start());
    return 0;
  }

  private VmBackend.Builder backend(String host, int port, String dbPassword) {
    return VmBackend.builder()
        .dataDir(dataDir != null ? dataDir : Connection.defaultDataDir())
        .listen(host, port)
        .clientAuth(parseClientAuth(clientAuth))
        .clientCa(clientCa)
        .certificateAuthority(caCert, caKey)
        .agentCertificateLifetime(agentCertLifetime)
        .tlsCertificate(tlsCert, tlsKey)
        .jdbcUrl(jdbcUrl)
        .dbCredentials(dbUser, dbPassword)
        .accessTokenTtl(accessTtl)
        .refreshTokenTtl(refreshTtl)
        .leaseDuration(lease)
        .latestAgentVersion(latestAgentVersion)
        .metricsRetention(metricsRetention)
        .metricsHistoryRetention(metricsHistoryRetention)
        .eventsRetention(eventsRetention)
        .commandsRetention(commandsRetention)
        .tokensRetention(tokensRetention)
        .limits(limits());
  }

  /** Waits until the JVM is told to stop, then stops the backend in the shutdown hook. */
  private static void serveUntilStopped(RunningBackend backend) throws InterruptedException {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                backend.close();
              } catch (Exception e) {
                System.err.println("vm-backend: error while stopping: " + e);
              } finally {
                stopped.countDown();
              }
            },
            "vm-backend-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    stopped.await();
  }

  /** The limits these options give. */
  Limits limits() {
    return new Limits(
        maxConnections,
        newConnectionsPerSecond,
        maxRequestsInFlight,
        maxPollsPerAgent,
        failedAuthBurst,
        failedAuthPerMinute,
        failedAuthPerCredential,
        agentRequestsPerMinute,
        registrationsPerTokenPerMinute,
        metricsMibPerAgentPerDay << 20);
  }

  private static ClientAuth parseClientAuth(String value) {
    return switch (value) {
      case "off" -> ClientAuth.OFF;
      case "optional" -> ClientAuth.OPTIONAL;
      case "required" -> ClientAuth.REQUIRED;
      default ->
          throw new IllegalArgumentException(
              "--client-auth must be off, optional or required, got '" + value + "'");
    };
  }
}

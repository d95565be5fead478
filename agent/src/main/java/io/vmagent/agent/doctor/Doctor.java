package io.vmagent.agent.doctor;

import io.vmagent.agent.backend.AgentKey;
import io.vmagent.agent.backend.Credentials;
import io.vmagent.agent.backend.CredentialsStore;
import io.vmagent.agent.backend.Enrollment;
import io.vmagent.agent.backend.HttpTransport;
import io.vmagent.agent.backend.PemFiles;
import io.vmagent.agent.backend.Session;
import io.vmagent.agent.backend.TlsContexts;
import io.vmagent.agent.backend.TlsSettings;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code vm-agent doctor}: the troubleshooting list, in order. Configuration; the backend's host
 * name, TCP port, TLS handshake, the agent's credentials and the clock offset; libvirt; the state
 * directory. A check that needs one that failed is skipped, saying which.
 */
public final class Doctor {
  static final String CONFIGURATION = "configuration";

  private final ConfigLoader loader;
  private final Clock clock;

  /** A doctor that loads the configuration with {@code loader}. */
  public Doctor(ConfigLoader loader, Clock clock) {
    this.loader = loader;
    this.clock = clock;
  }

  /** Every check's finding, in the order they ran. */
  public List<Finding> run() {
    List<Finding> findings = new ArrayList<>();
    AgentConfig config;
    TlsSettings tls;
    try {
      config = loader.load();
      tls = TlsSettings.of(config);
      TlsContexts.create(tls); // the TLS files are part of the configuration
    } catch (ConfigException | IOException e) {
      findings.add(
          Finding.fail(
              CONFIGURATION,
              e instanceof ConfigException
                  ? e.getMessage()
                  : "TLS files unusable: " + e.getMessage(),
              "see 'vm-agent config check' and the README's configuration table"));
      for (String name : backendChecks()) {
        findings.add(Finding.skip(name, "the configuration is invalid"));
      }
      findings.add(Finding.skip(LocalChecks.LIBVIRT, "the configuration is invalid"));
      findings.add(Finding.skip(LocalChecks.STATE_DIR, "the configuration is invalid"));
      return findings;
    }
    URI url = config.backendUrl().orElseThrow();
    String file =
        Files.exists(config.configFile())
            ? "env file " + config.configFile()
            : "no env file at " + config.configFile();
    findings.add(
        Finding.pass(
            CONFIGURATION,
            "valid (" + file + "); backend " + url + ", libvirt " + config.libvirtUri()));
    findings.addAll(backend(config, tls, url));
    findings.add(LocalChecks.libvirt(config.libvirtUri(), config.libvirtTimeout()));
    findings.add(LocalChecks.stateDir(config.stateDir()));
    return findings;
  }

  private static List<String> backendChecks() {
    return List.of(
        NetworkChecks.RESOLVE,
        NetworkChecks.CONNECT,
        TlsCheck.NAME,
        BackendChecks.CREDENTIALS,
        BackendChecks.CLOCK);
  }

  /** The backend's checks, each skipped from the first failure on with that failure's name. */
  private List<Finding> backend(AgentConfig config, TlsSettings tls, URI url) {
    List<Finding> findings = new ArrayList<>();
    NetworkChecks.Resolved resolved = NetworkChecks.resolve(url);
    findings.add(resolved.finding());
    if (!resolved.finding().passed()) {
      return skipRest(findings, "the backend's host name does not resolve");
    }
    NetworkChecks.Connected connected =
        NetworkChecks.connect(url, resolved.addresses(), config.apiTimeout());
    findings.add(connected.finding());
    if (!connected.finding().passed()) {
      return skipRest(findings, "no TCP connection to the backend");
    }
    Optional<TlsContexts.ClientIdentity> issued;
    try {
      issued = issuedIdentity(config, tls);
    } catch (IOException e) {
      findings.add(
          Finding.fail(
              TlsCheck.NAME,
              "the certificate issued at enrollment cannot be read: " + e.getMessage(),
              "remove it from " + config.stateDir() + "; the agent fetches a new one"));
      return skipRest(findings, "the TLS handshake failed");
    }
    if ("https".equals(url.getScheme())) {
      Finding handshake =
          new TlsCheck(tls, issued.orElse(null))
              .run(url, connected.address(), config.apiTimeout(), clock.instant());
      findings.add(handshake);
      if (!handshake.passed()) {
        return skipRest(findings, "the TLS handshake failed");
      }
    } else {
      findings.add(
          Finding.skip(TlsCheck.NAME, "the backend URL is plain http (AGENT_ALLOW_INSECURE_HTTP)"));
    }
    try (HttpTransport transport = HttpTransport.of(config, tls)) {
      // The certificate issued at enrollment, presented as the daemon presents it.
      transport.useTls(TlsContexts.create(tls, issued.orElse(null)));
      BackendChecks checks = new BackendChecks(transport, clock);
      findings.add(
          checks.credentials(
              keptCredentials(config, transport.baseUrl()),
              config.token(),
              Session.cannotRegister(config.token(), config.autoRegister(), config.stateDir())));
      findings.add(checks.clock());
    } catch (IOException e) {
      findings.add(Finding.fail(BackendChecks.CREDENTIALS, e.getMessage(), "see the agent's log"));
      findings.add(Finding.skip(BackendChecks.CLOCK, "the backend client could not be set up"));
    }
    return findings;
  }

  private static List<Finding> skipRest(List<Finding> findings, String reason) {
    List<String> names = backendChecks();
    for (String name : names.subList(findings.size(), names.size())) {
      findings.add(Finding.skip(name, reason));
    }
    return findings;
  }

  /** The kept credentials, when they belong to this backend (the daemon ignores others too). */
  private static Optional<Credentials> keptCredentials(AgentConfig config, URI url)
      throws IOException {
    return new CredentialsStore(config.stateDir())
        .load()
        .filter(kept -> url.toString().equals(kept.backendUrl()));
  }

  /**
   * The agent's key with the certificate issued for it, when it has both, the certificate has not
   * expired and none is configured (the daemon presents it then).
   */
  private Optional<TlsContexts.ClientIdentity> issuedIdentity(AgentConfig config, TlsSettings tls)
      throws IOException {
    Path file = config.stateDir().resolve(Enrollment.CERTIFICATE_FILE);
    if (tls.mutual() || !AgentKey.exists(config.stateDir()) || !Files.exists(file)) {
      return Optional.empty();
    }
    List<X509Certificate> chain = PemFiles.certificates(file);
    if (chain.get(0).getNotAfter().toInstant().isBefore(clock.instant())) {
      return Optional.empty();
    }
    return Optional.of(
        new TlsContexts.ClientIdentity(AgentKey.loadOrCreate(config.stateDir()), chain));
  }
}

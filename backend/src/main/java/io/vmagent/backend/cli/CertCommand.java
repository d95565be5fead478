package io.vmagent.backend.cli;

import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.backend.tls.IssuedCertificate;
import io.vmagent.backend.tls.Pem;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vm-backend cert}: client certificates from the fleet CA, issued on this machine. */
@Command(
    name = "cert",
    mixinStandardHelpOptions = true,
    description = "Issue client certificates from the fleet CA.",
    subcommands = {CertCommand.Issue.class, HelpCommand.class})
final class CertCommand extends CommandGroup {
  /** Who the certificate is for: exactly one. */
  static final class Subject {
    @Option(
        names = "--operator",
        paramLabel = "NAME",
        required = true,
        description = "An operator's certificate (urn:vm-agent:operator:NAME).")
    String operator;

    @Option(
        names = "--agent",
        paramLabel = "ID",
        required = true,
        description =
            "A certificate for an agent provisioned by hand (AGENT_SSL_CERT_PATH and"
                + " AGENT_SSL_KEY_PATH); agents of this version enroll themselves instead.")
    String agent;
  }

  @Command(
      name = "issue",
      mixinStandardHelpOptions = true,
      description = {
        "Issue a client certificate and a new key with the fleet CA of a backend's data directory"
            + " (DATA_DIR/tls/ca.pem and ca-key.pem) or an operator's own CA. Needs read access to"
            + " the CA key; talks to no backend.",
        "Example: vm-backend cert issue --operator alice --data-dir /var/lib/vm-backend"
            + " --out-cert alice.pem --out-key alice-key.pem"
      })
  static final class Issue implements Callable<Integer> {
    @Spec CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Subject subject;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        description =
            "The backend's data directory (default: $VM_BACKEND_DATA_DIR, else"
                + " /var/lib/vm-backend).")
    Path dataDir;

    @Option(
        names = "--ca-cert",
        paramLabel = "PEM",
        description = "The operator's own CA certificate.")
    Path caCert;

    @Option(names = "--ca-key", paramLabel = "PEM", description = "Key of --ca-cert.")
    Path caKey;

    @Option(
        names = "--lifetime",
        paramLabel = "DURATION",
        defaultValue = "90d",
        converter = Durations.class,
        description = "How long it is valid (default: ${DEFAULT-VALUE}; at most 397d).")
    Duration lifetime;

    @Option(
        names = "--out-cert",
        paramLabel = "FILE",
        required = true,
        description = "Where to write the certificate chain (0644).")
    Path outCert;

    @Option(
        names = "--out-key",
        paramLabel = "FILE",
        required = true,
        description = "Where to write the key (0600).")
    Path outKey;

    @Override
    public Integer call() throws Exception {
      if (lifetime.compareTo(Duration.ofMinutes(1)) < 0
          || lifetime.compareTo(Duration.ofDays(397)) > 0) {
        throw new IllegalArgumentException(
            "--lifetime must be between 1m and 397d, got " + lifetime);
      }
      String name = subject.operator != null ? subject.operator : subject.agent;
      if (!ProtocolPaths.AGENT_ID_PATTERN.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "'"
                + name // escaped where every error is printed (Main)
                + "' is not a valid name (1-64 of A-Za-z0-9._-, starting with a letter or digit)");
      }
      if (Files.exists(outKey) || Files.exists(outCert)) {
        throw new IllegalArgumentException(
            "refusing to overwrite " + (Files.exists(outKey) ? outKey : outCert));
      }
      DevCertificateAuthority ca = authority();
      IssuedCertificate issued =
          subject.operator != null ? ca.issueOperator(name, lifetime) : ca.issueClient(name);
      issued.write(outCert, outKey);
      spec.commandLine()
          .getOut()
          .println(
              (subject.operator != null ? "operator" : "agent")
                  + " certificate for "
                  + name
                  + " written to "
                  + outCert
                  + " (key "
                  + outKey
                  + ", mode 0600), valid until "
                  + issued.chain().get(0).getNotAfter().toInstant());
      return 0;
    }

    private DevCertificateAuthority authority() throws IOException {
      if ((caCert == null) != (caKey == null)) {
        throw new IllegalArgumentException("--ca-cert and --ca-key go together");
      }
      if (caCert != null) {
        return DevCertificateAuthority.of(
            Pem.readCertificates(caCert).get(0), Pem.readPrivateKey(caKey), caCert);
      }
      Path tls = (dataDir != null ? dataDir : Connection.defaultDataDir()).resolve("tls");
      Path cert = tls.resolve("ca.pem");
      Path key = tls.resolve("ca-key.pem");
      if (!Files.isReadable(cert) || !Files.isReadable(key)) {
        throw new IOException(
            "cannot read the fleet CA in "
                + tls
                + " (run as the backend's user, or give --ca-cert and --ca-key)");
      }
      return DevCertificateAuthority.of(
          Pem.readCertificates(cert).get(0), Pem.readPrivateKey(key), cert);
    }
  }
}

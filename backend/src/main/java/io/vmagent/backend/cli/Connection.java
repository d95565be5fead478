package io.vmagent.backend.cli;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.OperatorClient;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.tls.OperatorCertificate;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How an operator command reaches the backend: through a local data directory (the running
 * backend's URL, operator token, CA and operator certificate are read from it) or a URL with a CA,
 * operator token and, for mutual TLS, an operator certificate.
 */
final class Connection {
  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "Data directory of a backend running on this machine (default: $VM_BACKEND_DATA_DIR, else"
              + " /var/lib/vm-backend unless --url is given).")
  Path dataDir;

  @Option(
      names = "--url",
      paramLabel = "URL",
      description = "Backend URL, e.g. https://backend:8443.")
  URI url;

  @Option(
      names = "--ca",
      paramLabel = "PEM",
      description = "CA certificate to trust with --url (the backend's DATA_DIR/tls/ca.pem).")
  Path ca;

  @Option(
      names = "--operator-token-file",
      paramLabel = "FILE",
      description =
          "File holding the operator token with --url (default: $VM_BACKEND_OPERATOR_TOKEN).")
  Path tokenFile;

  @Option(
      names = "--client-cert",
      paramLabel = "PEM",
      description =
          "Operator certificate for mutual TLS (default: $VM_BACKEND_CLIENT_CERT, else with a data"
              + " directory its tls/operator.pem).")
  Path clientCert;

  @Option(
      names = "--client-key",
      paramLabel = "PEM",
      description =
          "Key of --client-cert (default: $VM_BACKEND_CLIENT_KEY, else tls/operator-key.pem).")
  Path clientKey;

  OperatorClient client() throws IOException {
    if (url != null) {
      if (ca == null) {
        throw new IOException("--url needs --ca PEM (the backend's tls/ca.pem)");
      }
      String token =
          tokenFile != null
              ? Files.readString(tokenFile, StandardCharsets.UTF_8).trim()
              : System.getenv("VM_BACKEND_OPERATOR_TOKEN");
      if (token == null || token.isBlank()) {
        throw new IOException(
            "--url needs the operator token: --operator-token-file FILE or"
                + " VM_BACKEND_OPERATOR_TOKEN");
      }
      Path[] identity = clientIdentity(null);
      return OperatorClient.create(url, TlsTrust.context(ca, identity[0], identity[1]), token);
    }
    Path dir = dataDir != null ? dataDir : defaultDataDir();
    Path endpoint = dir.resolve(RunningBackend.ENDPOINT_FILE);
    if (!Files.exists(endpoint)) {
      throw new IOException(
          "no backend is running with data directory "
              + dir
              + " ("
              + endpoint
              + " is missing); start one with: vm-backend serve --data-dir "
              + dir);
    }
    URI base = URI.create(Files.readString(endpoint, StandardCharsets.UTF_8).trim());
    String token =
        Files.readString(dir.resolve(RunningBackend.OPERATOR_TOKEN_FILE), StandardCharsets.UTF_8)
            .trim();
    Path[] identity = clientIdentity(dir.resolve("tls"));
    return OperatorClient.create(
        base,
        TlsTrust.context(dir.resolve("tls").resolve("ca.pem"), identity[0], identity[1]),
        token);
  }

  /**
   * The operator certificate and key to present, or nulls: the options, else the environment, else
   * the backend's own in {@code tlsDir} when there is one.
   */
  private Path[] clientIdentity(Path tlsDir) throws IOException {
    Path cert = clientCert != null ? clientCert : envPath("VM_BACKEND_CLIENT_CERT");
    Path key = clientKey != null ? clientKey : envPath("VM_BACKEND_CLIENT_KEY");
    if (cert == null && key == null && tlsDir != null) {
      Path localCert = tlsDir.resolve(OperatorCertificate.CERTIFICATE_FILE);
      Path localKey = tlsDir.resolve(OperatorCertificate.KEY_FILE);
      if (Files.isReadable(localCert) && Files.isReadable(localKey)) {
        return new Path[] {localCert, localKey};
      }
    }
    if ((cert == null) != (key == null)) {
      throw new IOException(
          "a client certificate needs its key: give both --client-cert and --client-key (or"
              + " VM_BACKEND_CLIENT_CERT and VM_BACKEND_CLIENT_KEY)");
    }
    return new Path[] {cert, key};
  }

  private static Path envPath(String name) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? null : Path.of(value);
  }

  static Path defaultDataDir() {
    String env = System.getenv("VM_BACKEND_DATA_DIR");
    return Path.of(env != null && !env.isBlank() ? env : "/var/lib/vm-backend");
  }
}

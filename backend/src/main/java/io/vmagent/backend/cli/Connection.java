package io.vmagent.backend.cli;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.OperatorClient;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * How an operator command reaches the backend: through a local data directory (the running
 * backend's URL, operator token and CA are read from it) or a URL with a CA and operator token.
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
      return OperatorClient.create(url, ca, token);
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
    return OperatorClient.create(base, dir.resolve("tls").resolve("ca.pem"), token);
  }

  static Path defaultDataDir() {
    String env = System.getenv("VM_BACKEND_DATA_DIR");
    return Path.of(env != null && !env.isBlank() ? env : "/var/lib/vm-backend");
  }
}

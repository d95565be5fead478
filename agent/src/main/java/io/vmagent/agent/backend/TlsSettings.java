package io.vmagent.agent.backend;

import io.vmagent.agent.config.AgentConfig;
import java.nio.file.Path;
import java.util.Optional;

/**
 * How the agent secures its connection to the backend.
 *
 * @param verify whether the backend's certificate and host name are checked ({@code
 *     AGENT_SSL_VERIFY})
 * @param caPath the CAs trusted instead of the system store ({@code AGENT_SSL_CA_PATH})
 * @param certPath client certificate chain for mutual TLS ({@code AGENT_SSL_CERT_PATH})
 * @param keyPath client private key for mutual TLS ({@code AGENT_SSL_KEY_PATH})
 */
public record TlsSettings(
    boolean verify, Optional<Path> caPath, Optional<Path> certPath, Optional<Path> keyPath) {

  /** The settings of a loaded configuration. */
  public static TlsSettings of(AgentConfig config) {
    return new TlsSettings(
        config.sslVerify(), config.sslCaPath(), config.sslCertPath(), config.sslKeyPath());
  }

  /** Whether a client certificate is presented. */
  public boolean mutual() {
    return certPath.isPresent() && keyPath.isPresent();
  }
}

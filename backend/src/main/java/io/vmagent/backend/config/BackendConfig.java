package io.vmagent.backend.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The backend's settings, validated once at construction; see {@code VmBackend.Builder} for the
 * defaults and what each setting does.
 */
public record BackendConfig(
    Path dataDir,
    String host,
    int port,
    ClientAuth clientAuth,
    Path clientCaPath,
    Path tlsCertificatePath,
    Path tlsKeyPath,
    List<String> subjectAltNames,
    String jdbcUrl,
    String dbUser,
    String dbPassword,
    String dbSchema,
    int dbPoolSize,
    Duration accessTokenTtl,
    Duration refreshTokenTtl,
    Duration leaseDuration,
    Duration defaultHeartbeatInterval,
    int offlineAfterMissedHeartbeats,
    Duration defaultCommandDeadline,
    Duration pollRecheckInterval,
    String latestAgentVersion,
    int maxBodyBytes,
    int maxBatchBytes,
    int httpThreads,
    String operatorToken,
    Path caCertificatePath,
    Path caKeyPath,
    Duration agentCertificateLifetime,
    Retention retention,
    Limits limits) {

  /** Checks every setting; a bad one is an {@link IllegalArgumentException} naming it. */
  public BackendConfig {
    Objects.requireNonNull(dataDir, "dataDir == null");
    Objects.requireNonNull(limits, "limits == null");
    Objects.requireNonNull(host, "host == null");
    Objects.requireNonNull(clientAuth, "clientAuth == null");
    Objects.requireNonNull(retention, "retention == null");
    subjectAltNames = List.copyOf(subjectAltNames);
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be 0..65535, got " + port);
    }
    if ((tlsCertificatePath == null) != (tlsKeyPath == null)) {
      throw new IllegalArgumentException("tlsCertificate and tlsKey must be given together");
    }
    if (dbSchema != null && !dbSchema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("dbSchema must be a lower-case SQL identifier");
    }
    if (dbPoolSize < 1) {
      throw new IllegalArgumentException("dbPoolSize must be at least 1");
    }
    positive("accessTokenTtl", accessTokenTtl);
    positive("refreshTokenTtl", refreshTokenTtl);
    positive("leaseDuration", leaseDuration);
    positive("defaultHeartbeatInterval", defaultHeartbeatInterval);
    positive("defaultCommandDeadline", defaultCommandDeadline);
    positive("pollRecheckInterval", pollRecheckInterval);
    if (offlineAfterMissedHeartbeats < 1) {
      throw new IllegalArgumentException("offlineAfterMissedHeartbeats must be at least 1");
    }
    if (maxBodyBytes < 1024 || maxBatchBytes < maxBodyBytes) {
      throw new IllegalArgumentException(
          "maxBodyBytes must be at least 1024 and maxBatchBytes at least maxBodyBytes");
    }
    if (httpThreads < 8) {
      throw new IllegalArgumentException("httpThreads must be at least 8, got " + httpThreads);
    }
    if ((caCertificatePath == null) != (caKeyPath == null)) {
      throw new IllegalArgumentException("caCertificate and caKey must be given together");
    }
    positive("agentCertificateLifetime", agentCertificateLifetime);
    if (agentCertificateLifetime.compareTo(java.time.Duration.ofSeconds(10)) < 0
        || agentCertificateLifetime.compareTo(java.time.Duration.ofDays(397)) > 0) {
      throw new IllegalArgumentException(
          "agentCertificateLifetime must be between 10 s and 397 days, got "
              + agentCertificateLifetime);
    }
    if (operatorToken != null && operatorToken.length() < 16) {
      throw new IllegalArgumentException("operatorToken must be at least 16 characters");
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
  }

  /** True when the database is the embedded H2 file in the data directory. */
  public boolean embeddedDatabase() {
    return jdbcUrl == null;
  }

  /** Keeps the database password and operator token out of logs. */
  @Override
  public String toString() {
    return "BackendConfig[dataDir="
        + dataDir
        + ", listen="
        + host
        + ":"
        + port
        + ", clientAuth="
        + clientAuth
        + ", database="
        + (jdbcUrl == null ? "embedded H2" : jdbcUrl)
        + ", schema="
        + dbSchema
        + ", accessTokenTtl="
        + accessTokenTtl
        + ", leaseDuration="
        + leaseDuration
        + ", "
        + retention
        + "]";
  }
}

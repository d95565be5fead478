package io.vmagent.backend;

import io.vmagent.backend.auth.AccessTokens;
import io.vmagent.backend.auth.SigningKey;
import io.vmagent.backend.config.BackendConfig;
import io.vmagent.backend.http.Routes;
import io.vmagent.backend.limits.Throttles;
import io.vmagent.backend.service.AgentService;
import io.vmagent.backend.service.Authenticator;
import io.vmagent.backend.service.CertificateIssuer;
import io.vmagent.backend.service.CommandService;
import io.vmagent.backend.service.Drains;
import io.vmagent.backend.service.IdentityService;
import io.vmagent.backend.service.JsonCodec;
import io.vmagent.backend.service.Migrations;
import io.vmagent.backend.service.RegistrationService;
import io.vmagent.backend.service.TelemetryService;
import io.vmagent.backend.store.AgentStore;
import io.vmagent.backend.store.CommandStore;
import io.vmagent.backend.store.Database;
import io.vmagent.backend.store.IdentityStore;
import io.vmagent.backend.store.MetricsRollupStore;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.backend.store.TokenStore;
import io.vmagent.backend.tls.DevCertificateAuthority;
import io.vmagent.backend.web.Sessions;
import java.time.Clock;

/** Builds the backend's stores and services with plain constructors, once the database is open. */
final class Wiring {
  private final BackendConfig config;
  private final Database database;
  private final Clock clock;
  private final JsonCodec json = new JsonCodec();
  final IdentityStore identities = new IdentityStore();
  final AgentStore agents = new AgentStore();
  final TokenStore tokens = new TokenStore();
  final CommandStore commandStore;
  final TelemetryStore telemetry;

  Wiring(BackendConfig config, Database database, Clock clock) {
    this.config = config;
    this.database = database;
    this.clock = clock;
    this.commandStore = new CommandStore(database.dialect());
    this.telemetry = new TelemetryStore(database.dialect());
  }

  /** Every service the routes call, sharing one authenticator and one set of throttles. */
  Routes.Services services(
      SigningKey signingKey,
      DevCertificateAuthority authority,
      Throttles throttles,
      String version) {
    AccessTokens accessTokens = accessTokens(signingKey);
    Authenticator auth =
        new Authenticator(database, accessTokens, agents, tokens, config.clientAuth(), clock);
    CertificateIssuer certificates =
        new CertificateIssuer(authority, config.agentCertificateLifetime());
    AgentService agentService = agentService(version);
    CommandService commands = commandService();
    Migrations migrations = new Migrations(database, agents, commandStore, commands, json, clock);
    return new Routes.Services(
        database,
        auth,
        new Sessions(clock),
        registration(auth, certificates, throttles, accessTokens),
        new IdentityService(
            database, agents, tokens, identities, certificates, agentService, clock),
        agentService,
        commands,
        new TelemetryService(
            database, telemetry, new MetricsRollupStore(database.dialect()), clock),
        () -> database.inTransaction("list signing keys", tokens::signingKeys),
        config.latestAgentVersion(),
        version,
        config.maxBodyBytes(),
        config.maxBatchBytes(),
        throttles,
        config.limits(),
        clock,
        migrations,
        new Drains(database, agents, telemetry, agentService, migrations, json, clock));
  }

  private AccessTokens accessTokens(SigningKey signingKey) {
    return new AccessTokens(
        signingKey,
        kid -> database.inTransaction("find a signing key", c -> tokens.signingKey(c, kid)),
        config.accessTokenTtl(),
        clock);
  }

  private RegistrationService registration(
      Authenticator auth,
      CertificateIssuer certificates,
      Throttles throttles,
      AccessTokens accessTokens) {
    return new RegistrationService(
        database,
        agents,
        tokens,
        identities,
        auth,
        certificates,
        throttles,
        accessTokens,
        json,
        config.refreshTokenTtl(),
        config.defaultHeartbeatInterval(),
        clock);
  }

  private AgentService agentService(String version) {
    return new AgentService(
        database,
        agents,
        tokens,
        identities,
        commandStore,
        telemetry,
        json,
        config.offlineAfterMissedHeartbeats(),
        config.latestAgentVersion(),
        version,
        clock);
  }

  private CommandService commandService() {
    return new CommandService(
        database,
        agents,
        commandStore,
        telemetry,
        json,
        config.leaseDuration(),
        config.defaultCommandDeadline(),
        config.pollRecheckInterval(),
        config.limits().maxWaitingPollsPerAgent(),
        clock);
  }
}

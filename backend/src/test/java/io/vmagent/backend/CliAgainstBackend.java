package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.cli.Main;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backend started for each test and the {@code vm-backend} command line run in-process against
 * it, keeping what the command printed.
 */
abstract class CliAgainstBackend {
  @TempDir Path dir;
  RunningBackend backend;
  ContractClient client;
  String out;
  String err;

  private final String schema = TestDatabase.newSchema();

  /** The database the backend runs on: H2 unless a subclass says otherwise. */
  TestDatabase database() {
    return TestDatabase.H2;
  }

  /** The backend's settings beyond the data directory, the port and a quick poll recheck. */
  VmBackend.Builder configure(VmBackend.Builder builder) {
    return builder;
  }

  @BeforeEach
  void start() throws Exception {
    database().assumeAvailable();
    backend =
        configure(
                database()
                    .configure(
                        VmBackend.builder()
                            .dataDir(dir.resolve("data"))
                            .listen("127.0.0.1", 0)
                            .pollRecheckInterval(Duration.ofMillis(200)),
                        schema))
            .build()
            .start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void stop() throws Exception {
    if (backend != null) {
      backend.close();
    }
    if (database() == TestDatabase.POSTGRESQL && TestDatabase.PG_URL != null) {
      TestDatabase.dropSchema(schema);
    }
    if (client != null) {
      assertThat(client.violations()).isEmpty();
    }
  }

  int cli(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int status = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return status;
  }

  /**
   * Registers an agent over the API with a fresh bootstrap token, advertising the migration
   * operations, {@code start} and {@code delete}, and taking migrations at {@code endpoint} (null:
   * none).
   */
  TestAgent registerHost(String agentId, MigrationEndpoint endpoint) {
    assertThat(cli("token", "create", "--data-dir", data(), "--single-use")).isZero();
    RegisterRequest identity =
        new RegisterRequest(
                agentId,
                "agent " + agentId,
                agentId + ".example.net",
                "0.1.0",
                "qemu:///system",
                new HypervisorFacts(
                    "QEMU", "7.2.0", "9.0.0", "x86_64", 2, 3_221_225_472L, "x86_64"),
                List.of("delete", "info", "migrate", "migrate_abort", "migrate_prepare", "start"),
                null)
            .withMigration(endpoint);
    RegisterResponse response =
        client.post(ProtocolPaths.REGISTER, out.trim(), identity).as(RegisterResponse.class);
    TestAgent agent = new TestAgent(client, agentId);
    agent.accessToken = response.accessToken();
    return agent;
  }

  String data() {
    return dir.resolve("data").toString();
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
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

  /** The backend's settings beyond the data directory, the port and a quick poll recheck. */
  VmBackend.Builder configure(VmBackend.Builder builder) {
    return builder;
  }

  @BeforeEach
  void start() throws Exception {
    backend =
        configure(
                VmBackend.builder()
                    .dataDir(dir.resolve("data"))
                    .listen("127.0.0.1", 0)
                    .pollRecheckInterval(Duration.ofMillis(200)))
            .build()
            .start();
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
    assertThat(client.violations()).isEmpty();
  }

  int cli(String... args) {
    StringWriter o = new StringWriter();
    StringWriter e = new StringWriter();
    int status = Main.run(new PrintWriter(o, true), new PrintWriter(e, true), args);
    out = o.toString();
    err = e.toString();
    return status;
  }

  String data() {
    return dir.resolve("data").toString();
  }
}

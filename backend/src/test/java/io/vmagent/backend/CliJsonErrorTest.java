package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** With --json, a failing vm-backend command prints one JSON error object on standard output. */
class CliJsonErrorTest extends CliAgainstBackend {
  /** The error object: the only member of what was printed; standard error stays empty. */
  private JsonNode error() throws Exception {
    assertThat(err).isEmpty();
    JsonNode json = new ObjectMapper().readTree(out);
    assertThat(json.size()).as(out).isEqualTo(1);
    return json.get("error");
  }

  @Test
  void aBadArgumentIsInvalidArgument() throws Exception {
    assertThat(cli("token", "create", "--json", "--expires-in", "soon", "--data-dir", data()))
        .isEqualTo(2);
    assertThat(error().get("code").asText()).isEqualTo("INVALID_ARGUMENT");

    assertThat(cli("vms", "list", "--json", "--colour", "--data-dir", data())).isEqualTo(2);
    assertThat(error().get("message").asText()).contains("--colour");
  }

  @Test
  void noBackendIsBackendUnavailable() throws Exception {
    String nowhere = dir.resolve("nothing-here").toString();

    assertThat(cli("agents", "list", "--json", "--data-dir", nowhere)).isEqualTo(3);
    JsonNode error = error();
    assertThat(error.get("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
    assertThat(error.get("message").asText()).contains("no backend is running");
  }

  @Test
  void aRefusalCarriesTheProblemsCodeAndNoSecret() throws Exception {
    Path tokenFile = dir.resolve("operator-token");
    Files.writeString(tokenFile, "vmo_wrong-token-of-some-length");

    int status =
        cli(
            "token",
            "list",
            "--json",
            "--url",
            backend.baseUrl().toString(),
            "--ca",
            backend.caCertificatePath().toString(),
            "--operator-token-file",
            tokenFile.toString());

    assertThat(status).isEqualTo(3);
    assertThat(error().get("code").asText()).isEqualTo("UNAUTHORIZED");
    assertThat(out).doesNotContain("vmo_wrong");
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolPaths;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * An integer query parameter the OpenAPI document accepts in a spelling Java's parser does not
 * (blanks around it) is read as the document reads it, never a 500; one it refuses stays a 400.
 */
class QuerySpellingTest {
  @TempDir static Path dir;
  private static RunningBackend backend;
  private static ContractClient client;

  @BeforeAll
  static void start() throws Exception {
    backend = TestDatabase.H2.start(dir, null);
    client = new ContractClient(backend.baseUrl(), backend.caCertificatePath());
  }

  @AfterAll
  static void stop() throws Exception {
    backend.close();
  }

  private static ContractClient.Answer listCommands(String encodedLimit) {
    return client.raw(
        "GET",
        ProtocolPaths.API_V1 + "/operator/commands?limit=" + encodedLimit,
        backend.operatorToken(),
        null,
        null);
  }

  @ParameterizedTest
  @ValueSource(strings = {"%205", "5%20", "%095", "+5"})
  void aLimitWithBlanksOrASignTheDocumentAcceptsIsHonoured(String limit) {
    ContractClient.Answer answer = listCommands(limit);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"%20", "5x", "0", "501", "99999999999999999999", "-0"})
  void aLimitTheDocumentRefusesIsABadRequest(String limit) {
    ContractClient.Answer answer = listCommands(limit);
    assertThat(answer.status()).as(answer.body()).isEqualTo(400);
    assertThat(answer.problem().code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.Problem;
import io.vmagent.protocol.ProtocolPaths;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
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
  private static HttpClient http;

  @BeforeAll
  static void start() throws Exception {
    backend = VmBackend.builder().dataDir(dir).listen("127.0.0.1", 0).build().start();
    http =
        HttpClient.newBuilder()
            .sslContext(TlsTrust.trusting(backend.caCertificatePath()))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    backend.close();
  }

  private static HttpResponse<String> listCommands(String encodedLimit) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(
                backend
                    .baseUrl()
                    .resolve(ProtocolPaths.API_V1 + "/operator/commands?limit=" + encodedLimit))
            .header("Authorization", "Bearer " + backend.operatorToken())
            .timeout(Duration.ofSeconds(15))
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"%205", "5%20", "%095", "+5"})
  void aLimitWithBlanksOrASignTheDocumentAcceptsIsHonoured(String limit) throws Exception {
    HttpResponse<String> answer = listCommands(limit);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }

  @ParameterizedTest
  @ValueSource(strings = {"%20", "5x", "0", "501", "99999999999999999999", "-0"})
  void aLimitTheDocumentRefusesIsABadRequest(String limit) throws Exception {
    HttpResponse<String> answer = listCommands(limit);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
    Problem problem = ContractClient.JSON.readValue(answer.body(), Problem.class);
    assertThat(problem.code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }
}

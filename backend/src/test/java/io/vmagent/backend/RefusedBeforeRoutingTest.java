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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Requests Jetty refuses before any route runs are answered with problem documents too. */
class RefusedBeforeRoutingTest {
  @TempDir Path dir;
  private RunningBackend backend;
  private HttpClient http;

  @BeforeEach
  void start() throws Exception {
    backend = VmBackend.builder().dataDir(dir).listen("127.0.0.1", 0).build().start();
    http =
        HttpClient.newBuilder()
            .sslContext(TlsTrust.trusting(backend.caCertificatePath()))
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    backend.close();
  }

  private HttpResponse<String> get(String path, String header, String value) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(backend.baseUrl().resolve(path)).timeout(Duration.ofSeconds(15));
    if (header != null) {
      request.header(header, value);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Problem problem(HttpResponse<String> answer) throws Exception {
    assertThat(answer.headers().firstValue("Content-Type")).hasValue(Problem.MEDIA_TYPE);
    Problem problem = ContractClient.JSON.readValue(answer.body(), Problem.class);
    assertThat(problem.status()).isEqualTo(answer.statusCode());
    assertThat(problem.type()).isEqualTo(Problem.TYPE_PREFIX + problem.code().name());
    return problem;
  }

  @Test
  void headersPastTheLimitGet431AsAProblemDocument() throws Exception {
    HttpResponse<String> answer = get(ProtocolPaths.HEALTH, "X-Padding", "x".repeat(20 * 1024));

    assertThat(answer.statusCode()).isEqualTo(431);
    Problem problem = problem(answer);
    assertThat(problem.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(problem.detail()).isNotBlank();
    assertThat(answer.body()).doesNotContain("<html");
  }

  @Test
  void anAmbiguousPathGets400AsAProblemDocument() throws Exception {
    HttpResponse<String> answer =
        get(ProtocolPaths.API_V1 + "/operator/agents/a%2F..%2Fb", null, null);

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(problem(answer).code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }

  @Test
  void theServerIsStillHealthyAfterwards() throws Exception {
    get(ProtocolPaths.HEALTH, "X-Padding", "x".repeat(20 * 1024));
    assertThat(get(ProtocolPaths.HEALTH, null, null).statusCode()).isEqualTo(200);
  }
}

package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.ClientAuth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's login demands what the operator API demands, client certificate included. */
class DashboardLoginTest {
  @TempDir Path dir;

  private static HttpResponse<String> login(RunningBackend backend, SSLContext tls, String token)
      throws Exception {
    HttpClient http = HttpClient.newBuilder().sslContext(tls).build();
    return http.send(
        HttpRequest.newBuilder(URI.create(backend.baseUrl() + "/ui/login"))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withCertificatesRequiredTheTokenAloneOpensNoSessionAndWithTheOperatorCertificateItDoes()
      throws Exception {
    try (RunningBackend backend =
        VmBackend.builder()
            .dataDir(dir)
            .listen("127.0.0.1", 0)
            .clientAuth(ClientAuth.REQUIRED)
            .build()
            .start()) {
      HttpResponse<String> tokenOnly =
          login(backend, TlsTrust.trusting(backend.caCertificatePath()), backend.operatorToken());
      assertThat(tokenOnly.statusCode()).isEqualTo(403);
      assertThat(tokenOnly.body()).contains("operator certificate");
      assertThat(tokenOnly.headers().firstValue("Set-Cookie")).isEmpty();

      SSLContext operator =
          TlsTrust.context(
              backend.caCertificatePath(),
              backend.operatorCertificatePath(),
              backend.operatorKeyPath());
      assertThat(login(backend, operator, "vmo_not-the-token").statusCode()).isEqualTo(401);
      HttpResponse<String> both = login(backend, operator, backend.operatorToken());
      assertThat(both.statusCode()).isEqualTo(200);
      assertThat(both.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("vmb_session=");
    }
  }
}

package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.config.ClientAuth;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer.OrderAnnotation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web dashboard in a real browser (Debian's headless Chromium through chromedriver), against
 * the real backend and a real agent on libvirt's test driver: one backend, agent and browser for
 * the whole class, the tests in the order an operator would go.
 */
@TestMethodOrder(OrderAnnotation.class)
class DashboardE2eTest {
  /** A VM name that is markup, with a bidirectional control character at its end. */
  static final String HOSTILE = "<img src=x onerror=alert(1)>\u202e";

  @TempDir static Path dir;
  static RunningBackend backend;
  static Agent agent;
  static String agentId;
  static ChromeDriver browser;
  static WebDriverWait wait;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.OPTIONAL, 0, b -> b);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            hostWithHostileVm(dir));
    agent = new Agent(E2e.config(settings));
    agent.start();
    agentId = E2e.agentId(dir.resolve("agent"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> backend.operator().listVms(agentId).size() == 4);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    if (agent != null) {
      agent.shutdown();
    }
    E2e.close(backend);
  }

  @Test
  @Order(1)
  void loginWithTheOperatorTokenShowsTheFleetWithTheAgent() throws Exception {
    browser.get(backend.baseUrl() + "/");
    WebElement token = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    token.sendKeys("vmo_wrong");
    browser.findElement(By.id("login-button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "refused"));

    token.clear();
    token.sendKeys(backend.operatorToken());
    browser.findElement(By.id("login-button")).click();
    WebElement row =
        wait.until(
            ExpectedConditions.visibilityOfElementLocated(
                By.cssSelector("#fleet tr[data-agent-id='" + agentId + "']")));

    assertThat(row.getText()).contains("e2e-agent", "online", "healthy", "running");
    assertThat(browser.findElement(By.id("fleet-count")).getText()).isEqualTo("1 of 1 agents");
    Browser.screenshot(browser, "dashboard-fleet-1280x800");
  }

  @Test
  @Order(2)
  void theAgentPageListsItsVmsAndShowsAHostileNameAsInertText() throws Exception {
    browser.findElement(By.cssSelector("#fleet tr[data-agent-id='" + agentId + "'] a")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("vms")));
    List<String> names =
        browser.findElements(By.cssSelector("#vms a.vm-link")).stream()
            .map(WebElement::getText)
            .toList();

    assertThat(names)
        .contains("app-01", "app-02", "spare-01", "<img src=x onerror=alert(1)>\\u202e");
    assertThat(browser.findElements(By.cssSelector("#view img"))).isEmpty();
    assertThat(browser.findElement(By.cssSelector("#view h1")).getText()).contains("e2e-agent");
    screenshots("dashboard-agent");
  }

  @Test
  @Order(3)
  void pausingAVmFromTheKeyboardShowsItsResultAndNewState() throws Exception {
    browser.findElement(By.linkText("app-01")).click();
    WebElement restart =
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("action-restart")));
    assertThat(browser.findElement(By.id("vm-state")).getText()).isEqualTo("running");

    browser.executeScript("arguments[0].focus();", restart);
    new Actions(browser).sendKeys(Keys.TAB).perform();
    assertThat(browser.switchTo().activeElement().getAttribute("id")).isEqualTo("action-pause");
    new Actions(browser).sendKeys(Keys.ENTER).perform();

    wait.until(ExpectedConditions.attributeToBe(By.id("action-status"), "data-state", "succeeded"));
    assertThat(browser.findElement(By.id("action-status")).getText())
        .contains("pause succeeded", "state now paused");
    wait.until(ExpectedConditions.textToBe(By.id("vm-state"), "paused"));
    assertThat(browser.findElement(By.id("action-result")).getText())
        .contains("\"state_after\": \"paused\"");
    screenshots("dashboard-vm");
  }

  @Test
  @Order(4)
  void anActionWithoutTheCsrfTokenIsRefused() throws Exception {
    int before = commandCount();

    List<?> withoutToken = fetch("POST", "/api/v1/operator/commands", null, pauseOf("app-02"));
    List<?> wrongToken =
        fetch("POST", "/api/v1/operator/commands", "vmc_guessed", pauseOf("app-02"));
    List<?> read = fetch("GET", "/api/v1/operator/agents", null, null);

    assertThat(withoutToken.get(0)).isEqualTo(403L);
    assertThat((String) withoutToken.get(1)).contains("CSRF");
    assertThat(wrongToken.get(0)).isEqualTo(403L);
    assertThat(read.get(0)).isEqualTo(200L);
    assertThat(commandCount()).isEqualTo(before);
  }

  @Test
  @Order(5)
  void theAgentPageShowsAChartWithDataPoints() throws Exception {
    browser.get(backend.baseUrl() + "/ui/#/agent/" + agentId);
    By charts = By.cssSelector(".charts:not([data-state='loading'])");
    wait.until(ExpectedConditions.presenceOfElementLocated(charts));
    if (!historyServed()) {
      assertThat(browser.findElement(By.cssSelector(".charts")).getAttribute("data-state"))
          .isEqualTo("empty");
      assertThat(browser.findElement(By.cssSelector(".charts .no-data")).getText())
          .startsWith("No data");
      Assumptions.abort("this backend serves no metrics history: the charts say there is no data");
    }
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofSeconds(2))
        .until(
            () -> {
              browser.navigate().refresh();
              WebElement chart = wait.until(ExpectedConditions.presenceOfElementLocated(charts));
              return "data".equals(chart.getAttribute("data-state"));
            });

    WebElement chart = browser.findElement(By.cssSelector(".charts"));
    assertThat(Integer.parseInt(chart.getAttribute("data-points"))).isPositive();
    assertThat(browser.findElements(By.cssSelector(".charts figure.chart canvas"))).isNotEmpty();
    browser.executeScript(
        "arguments[0].scrollIntoView();", browser.findElement(By.cssSelector(".chart-panel")));
    Browser.screenshot(browser, "dashboard-charts-1280x800");
  }

  @Test
  @Order(6)
  void loggingOutEndsTheSession() throws Exception {
    browser.get(backend.baseUrl() + "/ui/#/");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("logout"))).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));

    assertThat(fetch("GET", "/api/v1/operator/agents", null, null).get(0)).isEqualTo(401L);
    assertThat(fetch("GET", "/ui/session", null, null).get(0)).isEqualTo(401L);
    Browser.screenshot(browser, "dashboard-login-1280x800");
  }

  @Test
  @Order(7)
  void theSessionCookieIsHttpOnlySecureStrictAndThePagesForbidInlineScript() throws Exception {
    HttpClient http =
        HttpClient.newBuilder().sslContext(TlsTrust.trusting(backend.caCertificatePath())).build();
    HttpResponse<String> login =
        http.send(
            HttpRequest.newBuilder(URI.create(backend.baseUrl() + "/ui/login"))
                .header("Authorization", "Bearer " + backend.operatorToken())
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> page =
        http.send(
            HttpRequest.newBuilder(URI.create(backend.baseUrl() + "/ui/")).build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(login.statusCode()).isEqualTo(200);
    assertThat(login.headers().firstValue("Set-Cookie").orElseThrow())
        .startsWith("vmb_session=vms_")
        .contains("Path=/", "Max-Age=43200", "Secure", "HttpOnly", "SameSite=Strict");
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .isEqualTo(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                + " connect-src 'self'; frame-ancestors 'none'; base-uri 'none';"
                + " form-action 'self'");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/app.js\"></script>");
  }

  /** Screenshots of the page on a laptop (1280x800) and on a phone (390x844). */
  private static void screenshots(String name) throws Exception {
    Browser.screenshot(browser, name + "-1280x800");
    Browser.viewport(browser, 390, 844);
    Browser.screenshot(browser, name + "-390x844");
    Browser.viewport(browser, 1280, 800);
  }

  /** Runs fetch() in the page (with its cookies) and answers [status, body]. */
  private static List<?> fetch(String method, String path, String csrf, String body) {
    return (List<?>)
        browser.executeAsyncScript(
            "const [method, path, csrf, body, done] = arguments;"
                + "const headers = {'Content-Type': 'application/json'};"
                + "if (csrf) { headers['X-CSRF-Token'] = csrf; }"
                + "fetch(path, {method, headers, body: body ?? undefined})"
                + ".then(r => r.text().then(t => done([r.status, t])))"
                + ".catch(e => done([0, String(e)]));",
            method,
            path,
            csrf,
            body);
  }

  private static String pauseOf(String vm) {
    return "{\"agent_id\":\""
        + agentId
        + "\",\"operation\":\"pause\",\"params\":{\"vm\":\""
        + vm
        + "\"}}";
  }

  /**
   * Whether the backend answers the metrics history (another part of the backend, maybe absent).
   */
  private static boolean historyServed() throws Exception {
    HttpClient http =
        HttpClient.newBuilder().sslContext(TlsTrust.trusting(backend.caCertificatePath())).build();
    Instant now = Instant.now();
    String query =
        "?agent_id="
            + URLEncoder.encode(agentId, StandardCharsets.UTF_8)
            + "&from="
            + now.minusSeconds(3600)
            + "&to="
            + now
            + "&step=60";
    HttpResponse<String> answer =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(backend.baseUrl() + "/api/v1/operator/metrics/history" + query))
                .header("Authorization", "Bearer " + backend.operatorToken())
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return !(answer.statusCode() == 404 && answer.body().contains("no endpoint at"));
  }

  /** The e2e test host plus one VM whose name is markup and ends in a control character. */
  private static String hostWithHostileVm(Path dir) throws Exception {
    String node;
    try (InputStream in = E2e.class.getResourceAsStream("/node.xml")) {
      node = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String hostile =
        """
          <domain type='test' xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>
            <name>&lt;img src=x onerror=alert(1)&gt;&#x202e;</name>
            <uuid>6695eb01-f6a4-8304-79aa-97f2502e1009</uuid>
            <memory>524288</memory>
            <vcpu>1</vcpu>
            <os><type arch='x86_64'>hvm</type></os>
            <test:runstate>5</test:runstate>
          </domain>
        """;
    Path file = dir.resolve("node-hostile.xml");
    Files.writeString(file, node.replace("  <pool type='dir'>", hostile + "  <pool type='dir'>"));
    return "test://" + file.toAbsolutePath();
  }

  private static int commandCount() throws Exception {
    return backend.operator().listCommands(Map.of("agent_id", agentId)).commands().size();
  }
}

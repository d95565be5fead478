package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.simulator.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import picocli.CommandLine;

/**
 * The dashboard's fleet page with 1,000 agents (the fleet simulator's, registered and sending
 * heartbeats), timed in the browser with {@code performance.now()}: the figures go to
 * docs/dashboard.md. A measurement, not a check of speed; it takes minutes, so it runs with -Plong.
 */
@Tag("long")
class DashboardFleetRenderTest {
  private static final int AGENTS = 1000;
  private static final int LOADS = 5;

  @TempDir Path dir;

  @Test
  void aFleetOfAThousandAgentsIsRenderedAndTimedInTheBrowser() throws Exception {
    ChromeDriver browser = Browser.start();
    RunningBackend backend = null;
    try {
      backend =
          E2e.backend(
              dir.resolve("backend"),
              ClientAuth.OPTIONAL,
              0,
              b -> b.defaultHeartbeatInterval(Duration.ofSeconds(30)));
      Path bootstrap = Files.writeString(dir.resolve("bootstrap.token"), bootstrapOf(backend));
      Path operator = Files.writeString(dir.resolve("operator.token"), backend.operatorToken());
      String[] args = {
        "run",
        "--backend",
        backend.baseUrl().toString(),
        "--ca",
        backend.caCertificatePath().toString(),
        "--bootstrap-token-file",
        bootstrap.toString(),
        "--operator-token-file",
        operator.toString(),
        "--agents",
        Integer.toString(AGENTS),
        "--heartbeat",
        "30",
        // A few registrations at a time: each costs the embedded database a transaction or two,
        // and its pool is small.
        "--register-concurrency",
        "8",
        "--register-timeout",
        "480",
        "--metrics",
        "60",
        "--vms",
        "3",
        "--warmup",
        "5",
        "--duration",
        "120",
      };
      Thread simulator =
          new Thread(() -> new CommandLine(new Main()).execute(args), "fleet-simulator");
      simulator.setDaemon(true);
      simulator.start();
      RunningBackend started = backend;
      await()
          .atMost(Duration.ofMinutes(8))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> started.operator().listAgents().size() == AGENTS);

      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      browser.get(backend.baseUrl() + "/ui/");
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")))
          .sendKeys(backend.operatorToken());
      browser.findElement(By.id("login-button")).click();
      List<String> figures = new ArrayList<>();
      for (int i = 0; i < LOADS; i++) {
        browser.navigate().refresh();
        wait.until(
            ExpectedConditions.attributeToBe(By.tagName("body"), "data-fleet-agents", "1000"));
        wait.until(ExpectedConditions.attributeToBe(By.tagName("body"), "data-view", "fleet"));
        figures.add(
            (String)
                browser.executeScript(
                    "const d = document.body.dataset;"
                        + " return 'fetch ' + d.fleetFetchMs + ' ms, render ' + d.fleetRenderMs"
                        + " + ' ms, total to paint ' + d.fleetTotalMs + ' ms';"));
        browser.executeScript("delete document.body.dataset.fleetAgents;");
      }

      assertThat(browser.findElements(By.cssSelector("#fleet tbody tr"))).hasSize(AGENTS);
      for (String figure : figures) {
        System.out.println("FIGURE fleet page, " + AGENTS + " agents: " + figure);
      }
      Browser.screenshot(browser, "dashboard-fleet-1000-1280x800");
    } finally {
      browser.quit();
      E2e.close(backend);
    }
  }

  private static String bootstrapOf(RunningBackend backend) {
    return backend.createBootstrapToken(false, null);
  }
}

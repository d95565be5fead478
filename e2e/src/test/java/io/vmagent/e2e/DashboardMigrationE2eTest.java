package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.MigrationEndpoint;
import io.vmagent.protocol.VmSummary;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
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
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard's migrate and drain actions in a real browser (Debian's headless Chromium), against
 * the real backend, with the source and destination agents played over the real agent API so the
 * test answers each step of a migration (and makes a destination refuse): one backend and browser
 * for the whole class, the tests in order.
 */
@TestMethodOrder(OrderAnnotation.class)
class DashboardMigrationE2eTest {
  private static final Duration STEP = Duration.ofSeconds(15);

  /**
   * {@link DashboardE2eTest#HOSTILE} as the page must show it: its characters, the control escaped.
   */
  private static final String SHOWN_HOSTILE = "<img src=x onerror=alert(1)>\\u202e";

  @TempDir static Path dir;
  static RunningBackend backend;
  static ChromeDriver browser;
  static WebDriverWait wait;
  static PlayedAgent source;
  static PlayedAgent destination;

  @BeforeAll
  static void start() throws Exception {
    browser = Browser.start();
    wait = new WebDriverWait(browser, Duration.ofSeconds(20));
    backend =
        E2e.backend(
            dir.resolve("backend"),
            ClientAuth.OPTIONAL,
            0,
            b -> b.pollRecheckInterval(Duration.ofMillis(200)));
    source = PlayedAgent.register(backend, "host-a", null);
    destination =
        PlayedAgent.register(
            backend, "host-b", new MigrationEndpoint("qemu+tls://host-b.example.net/system", null));
    PlayedAgent.register(backend, "host-d", null);
    PlayedAgent offline =
        PlayedAgent.register(
            backend, "host-c", new MigrationEndpoint("qemu+tls://host-c.example.net/system", null));
    offline.heartbeat(HealthStatus.STOPPING, List.of());
    source.heartbeat(
        HealthStatus.HEALTHY,
        List.of(running("app-01"), running("app-02"), running(DashboardE2eTest.HOSTILE)));
    destination.heartbeat(HealthStatus.HEALTHY, List.of());

    browser.get(backend.baseUrl() + "/");
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("token")))
        .sendKeys(backend.operatorToken());
    browser.findElement(By.id("login-button")).click();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("fleet")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    E2e.close(backend);
  }

  @Test
  @Order(1)
  void aMigrationShowsEachStateThenTheHolderItFoundTheVmOn() throws Exception {
    openVm("app-01");
    WebElement migrate =
        wait.until(ExpectedConditions.elementToBeClickable(By.id("action-migrate")));
    browser.executeScript("arguments[0].focus();", migrate);
    new Actions(browser).sendKeys(Keys.ENTER).perform();
    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("migrate-dialog")));

    Select to = new Select(browser.findElement(By.id("migrate-to")));
    assertThat(to.getOptions())
        .extracting(WebElement::getText)
        .containsExactly("host-b", "host-c — offline", "host-d");
    assertThat(to.getOptions())
        .extracting(WebElement::isEnabled)
        .containsExactly(true, false, true);
    assertThat(to.getFirstSelectedOption().getText()).isEqualTo("host-b");
    assertThat(browser.findElement(By.id("migrate-live")).isSelected()).isTrue();
    browser.findElement(By.id("migrate-bandwidth")).sendKeys("100");
    Browser.screenshot(browser, "dashboard-migrate-dialog-1280x800");
    browser.findElement(By.id("migrate-go")).click();

    Command info = source.next(STEP);
    assertThat(info.operation()).isEqualTo("info");
    source.succeed(info, vm("app-01", "running", true));
    awaitStep("preparing");
    Command prepare = destination.next(STEP);
    assertThat(prepare.operation()).isEqualTo("migrate_prepare");
    destination.succeed(prepare, JsonNodeFactory.instance.objectNode());
    awaitStep("migrating");
    Command move = source.next(STEP);
    assertThat(move.operation()).isEqualTo("migrate");
    assertThat(move.params())
        .containsEntry("live", "true")
        .containsEntry("copy_storage", "false")
        .containsEntry("bandwidth_mib", "100");
    source.succeed(move, JsonNodeFactory.instance.objectNode().put("message", "migrated"));
    awaitStep("checking");
    source.fail(source.next(STEP), ErrorCode.VM_NOT_FOUND, "no VM app-01 on this host");
    destination.succeed(destination.next(STEP), vm("app-01", "running", false));

    wait.until(ExpectedConditions.textToBe(By.id("migration-state"), "succeeded"));
    assertThat(steps())
        .containsExactly("inspecting", "preparing", "migrating", "checking", "succeeded");
    assertThat(browser.findElement(By.id("migration-status")).getAttribute("data-state"))
        .isEqualTo("succeeded");
    assertThat(browser.findElement(By.id("migration-holder")).getText()).isEqualTo("host-b");
    assertThat(browser.findElement(By.id("migration-holder-link")).getAttribute("href"))
        .endsWith("#/agent/host-b/vm/app-01");
    assertThat(browser.findElement(By.id("migration-message")).getText())
        .isEqualTo("the migration succeeded (source: no such VM, destination: running)");
    browser.executeScript(
        "arguments[0].parentElement.scrollIntoView();", browser.findElement(By.id("migration")));
    Browser.screenshot(browser, "dashboard-migrate-1280x800");
  }

  @Test
  @Order(2)
  void aRefusalShowsItsCodeAndADestinationThatRefusesShowsTheBackendsMessage() throws Exception {
    openVm("app-02");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("action-migrate"))).click();
    new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("migrate-to"))))
        .selectByValue("host-d");
    browser.findElement(By.id("migrate-go")).click();
    wait.until(ExpectedConditions.attributeToBe(By.id("migration-status"), "data-state", "failed"));
    assertThat(browser.findElement(By.id("migration-status")).getText())
        .isEqualTo(
            "migrate refused: BAD_REQUEST: agent host-d takes no migrations: it reported no"
                + " migration URI (AGENT_MIGRATION_URI)");

    browser.findElement(By.id("action-migrate")).click();
    wait.until(ExpectedConditions.elementToBeClickable(By.id("migrate-go"))).click();
    source.succeed(source.next(STEP), vm("app-02", "running", true));
    destination.fail(
        destination.next(STEP),
        ErrorCode.INVALID_STATE,
        "this host cannot take VM 'app-02': the VM needs 4096 MiB");

    wait.until(ExpectedConditions.textToBe(By.id("migration-state"), "failed"));
    assertThat(browser.findElement(By.id("migration-holder")).getText())
        .isEqualTo("host-a (the source)");
    assertThat(browser.findElement(By.id("migration-message")).getText())
        .isEqualTo(
            "the destination refused the VM, which stays on the source: INVALID_STATE: this host"
                + " cannot take VM 'app-02': the VM needs 4096 MiB");
    assertThat(browser.findElements(By.id("migration-holder-link"))).isEmpty();
  }

  @Test
  @Order(3)
  void aDrainFromTheAgentPageShowsItsMovesAndDrainingUntilItEnds() throws Exception {
    source.heartbeat(
        HealthStatus.HEALTHY, List.of(running("app-02"), running(DashboardE2eTest.HOSTILE)));
    browser.get(backend.baseUrl() + "/ui/#/agent/host-a");
    wait.until(ExpectedConditions.elementToBeClickable(By.id("drain-open"))).click();
    assertThat(browser.findElement(By.id("agent-draining")).isDisplayed()).isFalse();
    new Select(wait.until(ExpectedConditions.elementToBeClickable(By.id("drain-to"))))
        .selectByValue("host-b");
    browser.findElement(By.id("drain-go")).click();

    wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("drain-moves")));
    assertThat(browser.findElement(By.id("agent-draining")).getText()).isEqualTo("draining");
    assertThat(browser.findElement(By.id("drain-summary")).getText())
        .startsWith("Draining: began")
        .contains("to host-b, 1 at a time.");
    Command first = source.next(STEP);
    String failing = first.params().get("vm");
    source.fail(first, ErrorCode.VM_NOT_FOUND, "no such VM here");
    By failedRow = By.xpath("//table[@id='drain-moves']//tr[td[3]='failed']");
    WebElement failed = wait.until(ExpectedConditions.visibilityOfElementLocated(failedRow));
    assertThat(failed.findElements(By.tagName("td")))
        .extracting(WebElement::getText)
        .containsExactly(
            failing.equals("app-02") ? "app-02" : SHOWN_HOSTILE,
            "host-b",
            "failed",
            "the source could not read the VM: VM_NOT_FOUND: no such VM here");
    List<String> vms =
        browser.findElements(By.cssSelector("#drain-moves tbody tr td:first-child")).stream()
            .map(WebElement::getText)
            .toList();
    assertThat(vms).containsExactlyInAnyOrder("app-02", SHOWN_HOSTILE);
    assertThat(browser.findElements(By.cssSelector("#view img"))).isEmpty();
    Browser.screenshot(browser, "dashboard-drain-1280x800");

    browser.findElement(By.id("drain-end")).click();
    wait.until(
        ExpectedConditions.textToBe(
            By.id("drain-status"), "Drain ended: the agent takes commands again."));
    assertThat(browser.findElement(By.id("agent-draining")).isDisplayed()).isFalse();
    assertThat(browser.findElements(By.id("drain-moves"))).isEmpty();
    assertThat(browser.findElement(By.id("drain-open")).isDisplayed()).isTrue();
  }

  private static void openVm(String name) {
    browser.get(
        backend.baseUrl()
            + "/ui/#/agent/host-a/vm/"
            + URLEncoder.encode(name, StandardCharsets.UTF_8));
    wait.until(ExpectedConditions.textToBe(By.id("vm-name"), name));
  }

  /** Waits until the page shows the migration in {@code state}. */
  private static void awaitStep(String state) {
    wait.until(
        ExpectedConditions.presenceOfElementLocated(
            By.cssSelector("#migration-steps li[data-state='" + state + "']")));
  }

  private static List<String> steps() {
    return browser.findElements(By.cssSelector("#migration-steps li")).stream()
        .map(li -> li.getAttribute("data-state"))
        .toList();
  }

  private static VmSummary running(String name) {
    return new VmSummary(
        name, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString(), "running");
  }

  /** An {@code info} result: the VM in {@code state}, with its domain XML when asked. */
  private static ObjectNode vm(String name, String state, boolean xml) {
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.putObject("vm").put("name", name).put("state", state);
    if (xml) {
      result.put("xml", "<domain type='kvm'><name>" + name + "</name></domain>");
    }
    return result;
  }
}

package io.vmagent.e2e;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through its own chromedriver: both paths are given, so Selenium
 * never looks for a driver to download.
 */
final class Browser {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  /** Where the tests write their screenshots. */
  static final Path SCREENSHOTS = Path.of("target", "screenshots");

  private Browser() {}

  /**
   * A started browser at 1280x800; skips the test only on a developer machine without the packages
   * (the test script installs them, and in CI their absence fails).
   */
  static ChromeDriver start() {
    boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    if (!present && !"true".equals(System.getenv("CI"))) {
      Assumptions.abort(
          "no /usr/bin/chromium and /usr/bin/chromedriver: install the Debian packages chromium"
              + " and chromium-driver (bin/test does) to run the browser tests");
    }
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(CHROMEDRIVER.toString()))
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toString());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        // The backend's development CA is trusted by nothing in the browser's profile; tests only.
        "--ignore-certificate-errors",
        "--disable-extensions",
        "--no-first-run");
    return new ChromeDriver(service, options);
  }

  /** Sets the size of the page's viewport (not the window's). */
  static void viewport(ChromeDriver driver, int width, int height) {
    driver.manage().window().setSize(new Dimension(width, height));
    Object[] inner =
        ((java.util.List<?>)
                driver.executeScript("return [window.innerWidth, window.innerHeight];"))
            .toArray();
    int dw = width - ((Number) inner[0]).intValue();
    int dh = height - ((Number) inner[1]).intValue();
    if (dw != 0 || dh != 0) {
      driver.manage().window().setSize(new Dimension(width + dw, height + dh));
    }
  }

  /** Saves a screenshot of the page as {@code target/screenshots/NAME.png}; answers its path. */
  static Path screenshot(ChromeDriver driver, String name) throws IOException {
    Files.createDirectories(SCREENSHOTS);
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Path target = SCREENSHOTS.resolve(name + ".png");
    Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    return target;
  }
}

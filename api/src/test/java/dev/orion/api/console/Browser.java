package dev.orion.api.console;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.http.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's Chromium, headless, driven by its own chromedriver: the paths are given, so Selenium
 * Manager looks nothing up and downloads nothing, and the browser is kept from calling home.
 * Missing packages fail the test with what to install ({@code ./orion test} installs them).
 */
public final class Browser implements AutoCloseable {
  static final String CHROMIUM = System.getProperty("orion.chromium", "/usr/bin/chromium");
  static final String CHROMEDRIVER = System.getProperty("orion.chromedriver", "/usr/bin/chromedriver");

  public final ChromeDriver driver;
  private final ChromeDriverService service;

  private Browser(ChromeDriver driver, ChromeDriverService service) {
    this.driver = driver;
    this.service = service;
  }

  public static Browser start() {
    return start(Map.of());
  }

  /**
   * A browser that trusts {@code rootCertificate} (Caddy's internal CA) as a client of the edge
   * does. Chromium on Linux reads its roots from the NSS database under {@code $HOME/.pki/nssdb},
   * so the driver and the browser run with {@code HOME=home}, holding a database with that root
   * (certutil, from libnss3-tools). Ignoring certificate errors instead would skew a benchmark:
   * Chromium caches nothing from a site whose certificate it does not trust.
   */
  public static Browser trusting(Path rootCertificate, Path home) throws IOException, InterruptedException {
    Path nssdb = home.resolve(".pki/nssdb");
    Files.createDirectories(nssdb);
    String db = "sql:" + nssdb;
    if (!Files.exists(nssdb.resolve("cert9.db"))) {
      certutil("-N", "-d", db, "--empty-password");
    }
    certutil("-A", "-d", db, "-t", "C,,", "-n", "orion-edge-root", "-i", rootCertificate.toString());
    return start(Map.of("HOME", home.toString()));
  }

  private static void certutil(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("certutil"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IOException("certutil is missing: apt-get install -y libnss3-tools", e);
    }
    String out = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      fail(String.join(" ", cmd) + " failed: " + out);
    }
  }

  private static Browser start(Map<String, String> environment) {
    if (!Files.isExecutable(Path.of(CHROMIUM)) || !Files.isExecutable(Path.of(CHROMEDRIVER))) {
      fail("the console tests need Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
          + "): apt-get install -y chromium chromium-driver, or run ./orion test, which installs them");
    }
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
    System.setProperty("SE_AVOID_BROWSER_DOWNLOAD", "true");
    System.setProperty("SE_OFFLINE", "true");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-default-apps", "--disable-extensions", "--window-size=1400,1000");
    if ("root".equals(System.getProperty("user.name"))) {
      options.addArguments("--no-sandbox");
    }
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER))
        .usingAnyFreePort()
        .withEnvironment(environment)
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
    return new Browser(driver, service);
  }

  public void open(String url) {
    driver.get(url);
  }

  public WebElement find(String css) {
    return driver.findElement(By.cssSelector(css));
  }

  public List<WebElement> all(String css) {
    return driver.findElements(By.cssSelector(css));
  }

  public <T> T waitFor(Duration d, Function<WebDriver, T> condition) {
    // The lists are re-rendered on every event: an element found a moment ago may be gone. A view
    // is shown on hashchange, a moment after its link is clicked: until then its fields are hidden.
    return new WebDriverWait(driver, d, Duration.ofMillis(50))
        .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
        .ignoring(org.openqa.selenium.ElementNotInteractableException.class).until(condition);
  }

  public <T> T waitFor(Function<WebDriver, T> condition) {
    return waitFor(Duration.ofSeconds(10), condition);
  }

  public Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** Fills the sign-in form and waits for the overview. */
  public void signIn(String baseUrl, String username, String password) {
    // Signed out: the cookie goes, and the page is loaded anew (a hash change alone reloads nothing).
    driver.manage().deleteAllCookies();
    open("about:blank");
    open(baseUrl + "/#overview");
    waitFor(d -> find("#sign-in").isDisplayed());
    find("#username").sendKeys(username);
    find("#password").sendKeys(password);
    find("#sign-in-form button[type=submit]").click();
    waitFor(d -> find("#overview").isDisplayed());
  }

  /**
   * Runs axe-core on the page as it is and returns its serious and critical violations, each as
   * "rule: what (where)". The script comes from npm through scripts/axe-core.sh.
   */
  public List<String> seriousAccessibilityViolations() throws IOException, InterruptedException {
    js(Files.readString(axeScript()));
    Object answer = ((JavascriptExecutor) driver).executeAsyncScript(
        "const done = arguments[arguments.length - 1];"
            + "axe.run(document, {resultTypes: ['violations']})"
            + ".then(r => done(JSON.stringify(r.violations)), e => done('error: ' + e));");
    String json = String.valueOf(answer);
    if (json.startsWith("error: ")) {
      fail("axe-core failed: " + json);
    }
    List<String> found = new ArrayList<>();
    for (JsonNode v : Json.MAPPER.readTree(json)) {
      String impact = v.path("impact").asText();
      if (impact.equals("serious") || impact.equals("critical")) {
        List<String> targets = new ArrayList<>();
        v.path("nodes").forEach(n -> targets.add(n.path("target").toString()));
        found.add(v.path("id").asText() + " [" + impact + "]: " + v.path("help").asText() + " " + targets);
      }
    }
    return found;
  }

  private static Path axeScript() throws IOException, InterruptedException {
    Path script = Path.of("..", "scripts", "axe-core.sh").toAbsolutePath().normalize();
    Process p = new ProcessBuilder("bash", script.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes()).strip();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || out.isEmpty()) {
      fail("scripts/axe-core.sh could not provide axe-core (npm install axe-core)");
    }
    return Path.of(out);
  }

  /**
   * Saves a screenshot as {@code docs/console/NAME.png} when the system property
   * {@code orion.console.screenshots} is {@code true} (so an ordinary test run leaves the docs
   * alone): {@code mvn ... -Dorion.console.screenshots=true}.
   */
  public void screenshot(String name) throws IOException {
    if (!Boolean.getBoolean("orion.console.screenshots")) {
      return;
    }
    Path cwd = Path.of("").toAbsolutePath();
    Path root = Files.isDirectory(cwd.resolve("docs")) ? cwd : cwd.getParent();
    Path dir = root.resolve("docs").resolve("console");
    Files.createDirectories(dir);
    File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
    }
  }
}

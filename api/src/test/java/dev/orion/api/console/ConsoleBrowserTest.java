package dev.orion.api.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.testkit.SandboxWorker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console in a real headless Chromium against the real API, database and sandbox workers:
 * sign-in with the session cookie, the worker list as the API gives it, live updates from the
 * event stream, the schedule editor's validation, release from the page, and one user's page
 * never showing another's lease. Every view is scanned with axe-core.
 */
class ConsoleBrowserTest {
  static ApiHarness api;
  static Browser browser;
  static String base;
  static final List<SandboxWorker> WORKERS = new ArrayList<>();
  static final java.util.concurrent.atomic.AtomicInteger ACCOUNTS = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    // localhost, not 127.0.0.1: the session cookie is Secure, which browsers accept over plain
    // HTTP from localhost only.
    base = "http://localhost:" + api.app.port();
    for (int i = 0; i < 2; i++) {
      SandboxWorker w = SandboxWorker.start("console-" + i);
      WORKERS.add(w);
      api.register(w);
    }
    browser = Browser.start();
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    SandboxWorker.closeAll(WORKERS);
    api.close();
  }

  @AfterEach
  void resetLeases() {
    assertEquals(200, api.http.post("/api/reset", api.adminToken(), null).status());
  }

  record Account(String name, String password, String token) {}

  static Account account(String prefix) {
    String name = prefix + ACCOUNTS.incrementAndGet();
    String password = "password-" + name;
    Http.Response r = api.http.post("/api/signup", null, Http.json(Map.of("username", name, "password", password)));
    assertEquals(201, r.status(), r.body());
    return new Account(name, password, api.login(name, password));
  }

  @Test
  void signInShowsTheWorkerListTheApiGives() throws Exception {
    Account a = account("console.a");
    browser.signIn(base, a.name(), a.password());
    Map<Long, List<String>> expected = new TreeMap<>();
    for (JsonNode n : api.http.get("/api/nodes", a.token()).json()) {
      expected.put(n.get("node_id").asLong(), List.of(n.get("hostname").asText(), n.get("pool").asText(),
          n.get("status").asText(), n.get("allocated").asBoolean() ? "yes" : "no"));
    }
    assertEquals(2, expected.size());
    browser.waitFor(d -> shownWorkers().equals(expected) ? true : null);
    assertEquals(a.name(), browser.find("#who-name").getText());
    assertNoSeriousViolations("overview");
    browser.screenshot("overview");

    // The pool filter narrows the list to a pool's workers.
    // Its options are drawn anew on every pool or node event: found and picked in one retried step.
    browser.waitFor(d -> {
      new Select(browser.find("#pool-filter")).selectByValue("default");
      return true;
    });
    browser.waitFor(d -> shownWorkers().size() == 2 ? true : null);
  }

  @Test
  void aRentFromAnotherClientAppearsLiveAndReleaseFromThePageRemovesTheUser() throws Exception {
    Account a = account("console.r");
    browser.signIn(base, a.name(), a.password());
    browser.find("#nav a[href='#leases']").click();
    browser.waitFor(d -> browser.find("#leases").isDisplayed());

    Http.Response rent = api.http.post("/api/rent", a.token(), "{\"duration_hours\":1,\"count\":1}");
    assertEquals(201, rent.status(), rent.body());
    JsonNode c = rent.json().get(0);
    long id = c.get("rental_id").asLong();
    String user = c.get("client_user").asText();
    SandboxWorker w = worker(c);
    assertTrue(w.hasUser(user));

    // No reload: the event stream brings it.
    String row = browser.waitFor(Duration.ofSeconds(10), d -> browser.all("#lease-table tr[data-rental-id='" + id + "']")
        .stream().findFirst().map(WebElement::getText).orElse(null));
    assertTrue(row.contains(user), row);
    assertNoSeriousViolations("leases");
    browser.screenshot("leases");

    // The row is drawn anew on every event: find and click it in one retried step.
    browser.waitFor(d -> {
      browser.find("#lease-table tr[data-rental-id='" + id + "'] button.release").click();
      return true;
    });
    browser.waitFor(d -> browser.all("#lease-table tr[data-rental-id='" + id + "']").isEmpty());
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !w.hasUser(user));
    JsonNode after = api.http.get("/api/rentals/" + id, a.token()).json();
    assertEquals("released", after.get("end_reason").asText());
  }

  @Test
  void anotherUsersPageNeverShowsTheLease() throws Exception {
    Account a = account("console.owner");
    Http.Response rent = api.http.post("/api/rent", a.token(), "{\"duration_hours\":1,\"count\":1}");
    assertEquals(201, rent.status(), rent.body());
    JsonNode c = rent.json().get(0);
    long id = c.get("rental_id").asLong();
    String clientUser = c.get("client_user").asText();

    Account b = account("console.other");
    browser.signIn(base, b.name(), b.password());
    // B sees the worker as leased (public), but nothing of the lease.
    browser.waitFor(d -> "yes".equals(workerCell(c.get("node_id").asLong(), 5)) ? true : null);
    assertEquals("—", browser.waitFor(d -> workerCell(c.get("node_id").asLong(), 6)),
        "no lease end for someone else's lease");
    browser.find("#nav a[href='#leases']").click();
    browser.waitFor(d -> browser.find("#leases").isDisplayed());
    assertTrue(browser.all("#lease-table tr[data-rental-id]").isEmpty());
    for (String view : List.of("overview", "leases", "jobs", "schedules")) {
      browser.find("#nav a[href='#" + view + "']").click();
      String page = browser.driver.getPageSource();
      assertFalse(page.contains(clientUser), view + " shows A's client user");
      assertFalse(page.contains(a.name()), view + " shows A's user name");
      assertFalse(page.contains("lease " + id), view + " shows A's lease id");
    }
    // And the API B's page talks to refuses B's release of A's lease like any other id.
    assertEquals(404, api.http.post("/api/release/" + id, b.token(), null).status());
  }

  @Test
  void theScheduleEditorRefusesABadCronAndSavesAGoodOne() throws Exception {
    browser.signIn(base, ApiHarness.ADMIN, ApiHarness.ADMIN_PASSWORD);
    browser.find("#nav a[href='#schedules']").click();
    browser.waitFor(d -> browser.find("#schedules").isDisplayed());
    browser.waitFor(d -> !browser.all("#sched-pool option[value='default']").isEmpty() ? true : null);
    browser.waitFor(d -> {
      new Select(browser.find("#sched-pool")).selectByValue("default");
      return true;
    });

    type("#cron-start", "0 25 * * 1-5");
    type("#cron-stop", "0 19 * * 1-5");
    type("#timezone", "Europe/Paris");
    // The preview runs a moment after the last key: a half-typed field may be the one it names first.
    browser.waitFor(d -> browser.find("#sched-error").getText().contains("cron_start") ? true : null);
    assertTrue(browser.all("#next-transitions li").isEmpty());
    browser.find("#sched-save").click();
    browser.waitFor(d -> browser.find("#status").getText().startsWith("Not saved") ? true : null);
    assertTrue(browser.find("#sched-error").getText().contains("cron_start"));
    assertEquals(404, api.http.get("/api/schedule/default", api.adminToken()).status(), "nothing saved");

    type("#cron-start", "0 8 * * 1-5");
    browser.waitFor(d -> browser.all("#next-transitions li").size() == 5 ? true : null);
    assertEquals("", browser.find("#sched-error").getText());
    assertTrue(browser.find("#next-zone").getText().contains("Europe/Paris"));
    assertNoSeriousViolations("schedules");
    browser.screenshot("schedules");
    browser.find("#sched-save").click();
    browser.waitFor(d -> browser.find("#status").getText().contains("saved") ? true : null);
    JsonNode saved = api.http.get("/api/schedule/default", api.adminToken()).json();
    assertEquals("0 8 * * 1-5", saved.get("cron_start").asText());
    assertEquals("Europe/Paris", saved.get("timezone").asText());
    List<String> shown = browser.all("#next-transitions li").stream().map(WebElement::getText).toList();
    assertEquals(5, shown.size());
    JsonNode first = saved.get("next_transitions").get(0);
    String local = first.get("at_local").asText();
    assertTrue(shown.get(0).contains(local.substring(0, 10) + " " + local.substring(11, 16)), shown + " vs " + first);
    assertTrue(shown.get(0).contains("+01:00") || shown.get(0).contains("+02:00"), "Paris time: " + shown);
    // The saved schedule is on the list and the pool's row, without a reload.
    browser.waitFor(d -> browser.find("#schedule-table tr[data-pool='default']").getText().contains("0 8 * * 1-5")
        ? true : null);

    browser.find("#sched-remove").click();
    browser.waitFor(d -> "NOT_SCHEDULED".equals(
        api.http.get("/api/schedule/default", api.adminToken()).json().get("status").asText()) ? true : null);
    assertEquals(204, api.http.delete("/api/schedules/" + saved.get("id").asLong(), api.adminToken()).status());
  }

  @Test
  void jobsAndCronJobsShowWithTheirDetails() throws Exception {
    Account a = account("console.jobs");
    Http.Response job = api.http.post("/api/jobs", a.token(),
        "{\"name\":\"hello\",\"pool\":\"default\",\"command\":[\"echo\",\"hi\"],\"max_retries\":2}");
    assertEquals(201, job.status(), job.body());
    long jobId = job.json().get("job_id").asLong();
    Http.Response cron = api.http.post("/api/scheduled", a.token(),
        "{\"name\":\"nightly\",\"pool\":\"default\",\"command\":[\"date\",\"-u\"],\"cron\":\"30 2 * * *\","
            + "\"timezone\":\"America/New_York\"}");
    assertEquals(201, cron.status(), cron.body());
    long cronId = cron.json().get("scheduled_id").asLong();

    browser.signIn(base, a.name(), a.password());
    browser.find("#nav a[href='#jobs']").click();
    browser.waitFor(d -> browser.find("#jobs").isDisplayed());
    browser.waitFor(d -> {
      browser.find("#job-table tr[data-job-id='" + jobId + "'] button").click();
      return true;
    });
    browser.waitFor(d -> browser.find("#job-detail").isDisplayed()
        && browser.find("#job-detail-title").getText().contains("pending") ? true : null);
    assertTrue(browser.find("#job-log").getText().contains("No attempt yet"));
    String cronRow = browser.waitFor(d -> browser.find("#cron-table tr[data-scheduled-id='" + cronId + "']").getText());
    assertTrue(cronRow.contains("30 2 * * *") && cronRow.contains("America/New_York"), cronRow);
    assertNoSeriousViolations("jobs");
    browser.screenshot("jobs");

    // Cancelled elsewhere, the page follows from the event stream.
    assertEquals(200, api.http.delete("/api/jobs/" + jobId, a.token()).status());
    browser.waitFor(d -> browser.find("#job-table tr[data-job-id='" + jobId + "']").getText().contains("cancelled")
        ? true : null);
    assertEquals(200, api.http.delete("/api/scheduled/" + cronId, a.token()).status());
  }

  @Test
  void wakeExtendAndSignOutFromThePage() throws Exception {
    Account a = account("console.x");
    Http.Response rent = api.http.post("/api/rent", a.token(), "{\"duration_hours\":1,\"count\":1}");
    assertEquals(201, rent.status(), rent.body());
    long id = rent.json().get(0).get("rental_id").asLong();
    java.time.Instant until = java.time.Instant.parse(rent.json().get(0).get("leased_until").asText());

    browser.signIn(base, a.name(), a.password());
    browser.find("#nav a[href='#leases']").click();
    browser.waitFor(d -> browser.find("#leases").isDisplayed());
    browser.waitFor(d -> {
      browser.find("#lease-table tr[data-rental-id='" + id + "'] button.extend").click();
      return true;
    });
    browser.waitFor(d -> until.plus(Duration.ofHours(1)).toString().equals(
        api.http.get("/api/rentals/" + id, a.token()).json().get("leased_until").asText()) ? true : null);

    // A user may wake a pool for up to its user_wake_minutes; the override shows in the API.
    Http.Response settings = api.http.put("/api/pools/default", api.adminToken(), "{\"user_wake_minutes\":60}");
    assertEquals(200, settings.status(), settings.body());
    browser.find("#nav a[href='#overview']").click();
    browser.waitFor(d -> browser.find("#overview").isDisplayed());
    browser.waitFor(d -> {
      WebElement minutes = browser.find("#pools tr[data-pool='default'] input");
      minutes.clear();
      minutes.sendKeys("5");
      browser.find("#pools tr[data-pool='default'] button[aria-label='Wake pool default']").click();
      return true;
    });
    String said = browser.waitFor(d -> {
      String t = browser.find("#status").getText();
      return t.startsWith("Pool default") ? t : null;
    });
    JsonNode pool = api.http.get("/api/pools/default", a.token()).json();
    assertTrue(said.contains("requested") && pool.get("overrides").toString().contains("wake"), said + " / " + pool);

    browser.find("#sign-out").click();
    browser.waitFor(d -> browser.find("#sign-in").isDisplayed());
    assertTrue(browser.driver.manage().getCookieNamed("orion_session") == null, "the cookie is cleared");
    browser.open("about:blank");
    browser.open(base + "/");
    browser.waitFor(d -> browser.find("#sign-in").isDisplayed());
    assertEquals(401, api.http.get("/api/rentals", a.token()).status(), "logout ended the account's sessions");
  }

  @Test
  void theConsoleIsServedWithAStrictContentSecurityPolicy() throws Exception {
    HttpResponse<String> page = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(api.url() + "/")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, page.statusCode());
    String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
    assertTrue(csp.contains("default-src 'self'") && csp.contains("script-src 'self'")
        && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"), csp);
    assertTrue(page.body().contains("<main"), "landmarks");
    assertEquals(404, HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(api.url() + "/console/..%2Fapp.js")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode());
  }

  private static void type(String css, String text) {
    WebElement e = browser.find(css);
    e.clear();
    e.sendKeys(text);
  }

  private static Map<Long, List<String>> shownWorkers() {
    Map<Long, List<String>> shown = new TreeMap<>();
    for (WebElement r : browser.all("#workers tbody tr")) {
      List<WebElement> cells = r.findElements(By.cssSelector("th, td"));
      String leased = cells.get(5).getText();
      shown.put(Long.parseLong(cells.get(0).getText()), List.of(cells.get(1).getText(), cells.get(2).getText(),
          cells.get(3).getText(), leased.startsWith("yes") ? "yes" : leased));
    }
    return shown;
  }

  private static String workerCell(long nodeId, int column) {
    List<WebElement> rows = browser.all("#workers tr[data-node-id='" + nodeId + "']");
    if (rows.isEmpty()) {
      return null;
    }
    String t = rows.get(0).findElements(By.cssSelector("th, td")).get(column).getText();
    return column == 5 && t.startsWith("yes") ? "yes" : t;
  }

  private static SandboxWorker worker(JsonNode credentials) {
    String ip = credentials.get("host_ip").asText();
    int port = credentials.get("ssh_port").asInt();
    return WORKERS.stream().filter(w -> w.ip().equals(ip) && w.port() == port).findFirst().orElseThrow();
  }

  private static void assertNoSeriousViolations(String view) throws Exception {
    List<String> v = browser.seriousAccessibilityViolations();
    assertTrue(v.isEmpty(), view + ": " + String.join("\n", v));
  }
}

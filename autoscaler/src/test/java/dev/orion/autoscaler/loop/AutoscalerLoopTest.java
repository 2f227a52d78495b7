package dev.orion.autoscaler.loop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.Autoscaler;
import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.e2e.Await;
import dev.orion.autoscaler.e2e.CaddyUnderTest;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.ReadinessProbe;
import dev.orion.autoscaler.replica.Replica;
import dev.orion.common.time.SettableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scaling loop stepped tick by tick with a settable clock, against the real pool Caddy and
 * replicas that answer HTTP for real.
 */
class AutoscalerLoopTest {
  private static CaddyUnderTest caddy;
  private static CaddyAdmin admin;
  private final SettableClock clock = new SettableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final InProcessDriver driver = new InProcessDriver();
  private Duration warmup = Duration.ZERO;

  @BeforeAll
  static void startCaddy() throws Exception {
    caddy = new CaddyUnderTest("loop").awaitReady(Duration.ofSeconds(60));
    admin = new CaddyAdmin(caddy.admin(), Duration.ofSeconds(5));
  }

  @AfterAll
  static void stopCaddy() throws Exception {
    caddy.close();
  }

  @AfterEach
  void stopReplicas() {
    driver.close();
  }

  private Autoscaler autoscaler(int min, int max) {
    return autoscaler(min, max, 0);
  }

  private Autoscaler autoscaler(int min, int max, int spares) {
    return new Autoscaler(driver, admin, new ReadinessProbe(Duration.ofSeconds(1)),
        new ScalingPolicy(50, 0.1, min, max, Duration.ofSeconds(30), 2, 1),
        new Autoscaler.Timing(Duration.ofSeconds(1), Duration.ofSeconds(20),
            Duration.ofSeconds(2), Duration.ZERO, Duration.ofSeconds(5), warmup),
        clock, true, spares);
  }

  private List<String> upstreams() {
    return admin.upstreams(admin.apiHandlerIds().get(0));
  }

  private static List<String> dials(List<Replica> rs) {
    return rs.stream().map(Replica::dial).sorted().toList();
  }

  @Test
  void theFirstReplicaMigratesAloneAndJoinsCaddyOnlyOnceReady() {
    Autoscaler a = autoscaler(3, 5);
    a.tick();
    assertEquals(List.of(true), driver.startedOwningSchema, "one schema owner first");
    Replica first = driver.list().get(0);
    a.tick();
    assertEquals(1, driver.list().size(), "the others wait for the schema");
    assertEquals(List.of(), upstreams(), "not ready, not in Caddy");

    driver.get(first).ready = true;
    a.tick();
    assertEquals(List.of(first.dial()), upstreams());
    assertEquals(List.of(true, false, false), driver.startedOwningSchema,
        "then the rest, validating only");
    assertEquals(3, driver.list().size());
  }

  @Test
  void aReplicaThatNeverGetsReadyIsStoppedAndReplaced() throws Exception {
    Autoscaler a = autoscaler(1, 1);
    a.tick();
    Replica stuck = driver.list().get(0);
    clock.advance(Duration.ofSeconds(21));
    a.tick();
    Await.until(Duration.ofSeconds(10), "the stuck replica stopped",
        () -> driver.stopped.contains(stuck.id()), driver.stopped::toString);
    a.tick();
    assertEquals(1, driver.list().size(), "a replacement started");
    assertFalse(driver.list().contains(stuck));
  }

  @Test
  void aReplicaWaitingForItsDatabaseIsKeptPastTheReadyTimeoutAndJoinsOnceReady() {
    Autoscaler a = autoscaler(1, 1);
    a.tick();
    Replica waiting = driver.list().get(0);
    driver.get(waiting).waitingForDatabase = true;
    for (int i = 0; i < 5; i++) { // 5 × 21 s: five ready timeouts
      clock.advance(Duration.ofSeconds(21));
      a.tick();
    }
    assertEquals(List.of(waiting), driver.list(), "kept, and no replacement started");
    assertTrue(driver.stopped.isEmpty(), driver.stopped::toString);
    assertTrue(upstreams().isEmpty(), "not in Caddy while waiting");

    driver.get(waiting).ready = true;
    a.tick();
    assertEquals(List.of(waiting.dial()), upstreams());
  }

  @Test
  void aLeavingReplicaLeavesCaddyBeforeItIsStopped() throws Exception {
    Autoscaler a = autoscaler(1, 3);
    List<List<String>> upstreamsAtStop = new CopyOnWriteArrayList<>();
    driver.beforeStop = r -> upstreamsAtStop.add(upstreams());
    for (int i = 0; i < 3; i++) {
      InProcessDriver.Instance inst = driver.launch(true);
      inst.ready = true;
      inst.cpu = 50; // at target: hold
    }
    a.tick();
    assertEquals(dials(driver.list()), upstreams(), "all three serve");

    driver.instances.values().forEach(i -> i.cpu = 5); // quiet: 3 -> 2 (step limit 1)
    clock.advance(Duration.ofSeconds(31)); // past the scale-down window
    a.tick();
    Await.until(Duration.ofSeconds(10), "one replica stopped",
        () -> driver.stopped.size() == 1, driver.stopped::toString);
    String gone = "127.0.0.1:" + driver.stopped.get(0).substring("api-".length());
    assertFalse(upstreamsAtStop.get(0).contains(gone),
        "out of Caddy before the stop: " + upstreamsAtStop);
    assertEquals(2, upstreams().size());
  }

  @Test
  void theComposeTemplateIsNeverScaledAway() throws Exception {
    Autoscaler a = autoscaler(1, 3);
    InProcessDriver.Instance template = driver.launch(false);
    template.ready = true;
    driver.launch(true).ready = true;
    a.tick();
    a.tick();
    Await.until(Duration.ofSeconds(10), "the copy stopped",
        () -> driver.stopped.size() == 1, driver.stopped::toString);
    clock.advance(Duration.ofSeconds(60));
    a.tick();
    assertEquals(List.of(template.replica), driver.list());
    assertEquals(List.of(template.replica.dial()), upstreams());
  }

  @Test
  void aWarmSpareStaysOutOfCaddyUntilAScaleUpPromotesItInTheSameTick() {
    Autoscaler a = autoscaler(1, 3, 1);
    a.tick();
    Replica first = driver.list().get(0);
    driver.get(first).ready = true;
    driver.get(first).cpu = 50;
    a.tick();
    assertEquals(2, driver.list().size(), "the serving replica and a spare");
    Replica spare = a.spares().get(0);
    driver.get(spare).ready = true;
    a.tick();
    assertEquals(List.of(first.dial()), upstreams(), "a ready spare stays out of Caddy");
    assertEquals(List.of(first), a.active(), "and out of the policy's count");

    driver.get(first).cpu = 90; // 1 -> 2
    a.tick();
    assertEquals(dials(List.of(first, spare)), upstreams(), "promoted without a start");
    assertEquals(2, a.active().size());
    assertEquals(1, a.spares().size(), "a new spare is on its way");
    assertFalse(a.spares().contains(spare));
  }

  @Test
  void noSpareIsKeptBeyondTheMaximum() {
    Autoscaler a = autoscaler(1, 1, 1);
    a.tick();
    driver.get(driver.list().get(0)).ready = true;
    a.tick();
    a.tick();
    assertEquals(1, driver.list().size(), "at max, a spare could never be used");
    assertEquals(List.of(), a.spares());
  }

  @Test
  void aFreshReplicasCpuIsNotCountedDuringItsWarmUp() {
    warmup = Duration.ofSeconds(15);
    Autoscaler a = autoscaler(1, 3);
    InProcessDriver.Instance fresh = driver.launch(true);
    fresh.ready = true;
    fresh.cpu = 95; // a JVM compiling its hot paths
    a.tick();
    a.tick();
    assertEquals(1, driver.list().size(), a.lastDecision().reason());
    clock.advance(Duration.ofSeconds(16));
    a.tick();
    assertEquals(2, driver.list().size(), "warm now, the same CPU is load: "
        + a.lastDecision().reason());
  }

  @Test
  void anUnreadableReplicaDoesNotStopTheTick() {
    Autoscaler a = autoscaler(1, 5);
    InProcessDriver.Instance hot = driver.launch(true);
    InProcessDriver.Instance blind = driver.launch(true);
    hot.ready = true;
    blind.ready = true;
    hot.cpu = 150;
    driver.cpuFailures.add(blind.replica.id());
    a.tick();
    // 150 % measured on one, the other counted idle on the way up: ceil(2 * 75 / 50) = 3.
    assertEquals(3, a.lastDecision().desired(), a.lastDecision().reason());
    assertEquals(3, driver.list().size());
  }

  @Test
  void upstreamsChangedBehindItsBackAreRestoredOnTheNextTick() throws Exception {
    Autoscaler a = autoscaler(1, 1);
    driver.launch(true).ready = true;
    a.tick();
    String id = admin.apiHandlerIds().get(0);
    assertEquals(200, admin.raw("PATCH", "/id/" + id + "/upstreams", "[{\"dial\":\"127.0.0.1:1\"}]"));
    assertEquals(List.of("127.0.0.1:1"), upstreams());
    a.tick();
    assertEquals(dials(driver.list()), upstreams());
    assertTrue(a.serving().size() == 1);
  }
}

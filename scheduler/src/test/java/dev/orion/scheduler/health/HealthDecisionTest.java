package dev.orion.scheduler.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HealthDecisionTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  static final HealthPolicy P = new HealthPolicy(Duration.ofSeconds(1), 3, Duration.ofSeconds(30), 50, 3,
      Duration.ofSeconds(10));
  static final Probe FAIL = Probe.failed("connection refused");

  /** Failing since 10 s ago when suspect. */
  static NodeState node(String status, int failures, Instant heartbeat) {
    return new NodeState(1, "127.0.0.1", 22, "ssh-ed25519 AAAA", status, failures, heartbeat, NOW.minusSeconds(10));
  }

  @Test
  void anAnswerMakesAnyNodeAliveAndForgetsItsFailures() {
    for (String s : new String[] {"alive", "suspect", "dead"}) {
      Verdict v = HealthDecision.decide(node(s, 5, null), Probe.answered(), Optional.empty(), P, NOW);
      assertEquals("alive", v.toStatus());
      assertEquals(0, v.probeFailures());
      assertEquals(NOW.plusSeconds(1), v.nextCheckAt());
    }
  }

  @Test
  void failuresBelowKMakeASuspect() {
    Verdict v = HealthDecision.decide(node("alive", 1, null), FAIL, Optional.empty(), P, NOW);
    assertEquals("suspect", v.toStatus());
    assertEquals(2, v.probeFailures());
  }

  @Test
  void theKthFailureKillsWhenNothingSpeaksForTheNode() {
    Verdict v = HealthDecision.decide(node("suspect", 2, NOW.minusSeconds(60)), FAIL, Optional.empty(), P, NOW);
    assertEquals("dead", v.toStatus());
    assertTrue(v.diesNow());
    assertNull(v.sparedReason());
  }

  @Test
  void aHeartbeatSentWhileProbesFailSparesTheNode() {
    Verdict v = HealthDecision.decide(node("suspect", 2, NOW.minusSeconds(5)), FAIL, Optional.empty(), P, NOW);
    assertEquals("suspect", v.toStatus());
    assertTrue(v.sparedReason().startsWith("agent heartbeat 5s ago"), v.sparedReason());
  }

  @Test
  void aHeartbeatFromBeforeTheFailuresDoesNotDelayADeath() {
    // A crashed machine: its last heartbeat (12 s ago) predates the first failed probe (10 s ago).
    Verdict v = HealthDecision.decide(node("suspect", 2, NOW.minusSeconds(12)), FAIL, Optional.empty(), P, NOW);
    assertEquals("dead", v.toStatus());
  }

  @Test
  void aStaleHeartbeatDoesNotSpare() {
    NodeState n = new NodeState(1, "127.0.0.1", 22, "k", "suspect", 2, NOW.minusSeconds(40), NOW.minusSeconds(60));
    assertEquals("dead", HealthDecision.decide(n, FAIL, Optional.empty(), P, NOW).toStatus());
  }

  @Test
  void theFleetGuardSparesTheNode() {
    Verdict v = HealthDecision.decide(node("suspect", 2, null), FAIL, Optional.of("mass failure"), P, NOW);
    assertEquals("suspect", v.toStatus());
    assertEquals("mass failure", v.sparedReason());
  }

  @Test
  void aDeadNodeStaysDeadWithoutNewTransition() {
    Verdict v = HealthDecision.decide(node("dead", 7, null), FAIL, Optional.empty(), P, NOW);
    assertEquals("dead", v.toStatus());
    assertTrue(!v.diesNow() && !v.changes());
  }

  @Test
  void mostOfTheFleetFailingAtOnceBlamesTheControlPlane() {
    assertTrue(HealthDecision.fleetGuard(new FleetView(10, 6), null, P, NOW).get().startsWith("mass failure: 6 of 10"));
    assertEquals(Optional.empty(), HealthDecision.fleetGuard(new FleetView(10, 5), null, P, NOW), "half is not most");
    assertEquals(Optional.empty(), HealthDecision.fleetGuard(new FleetView(2, 2), null, P, NOW),
        "too small a fleet to tell");
  }

  @Test
  void aRecentDatabaseStallBlocksDeathsUntilTheQuietPeriodEnds() {
    Instant quietUntil = NOW.plusSeconds(30);
    assertTrue(HealthDecision.fleetGuard(new FleetView(10, 1), quietUntil, P, NOW).get().contains("stalled"));
    assertEquals(Optional.empty(), HealthDecision.fleetGuard(new FleetView(10, 1), quietUntil, P, quietUntil));
  }

  @Test
  void theQuietPeriodCoversAHeartbeatTimeoutAndKProbes() {
    assertEquals(Duration.ofSeconds(30), P.quietAfterStall());
    HealthPolicy fast = new HealthPolicy(Duration.ofSeconds(5), 10, Duration.ofSeconds(30), 50, 3, Duration.ofSeconds(10));
    assertEquals(Duration.ofSeconds(55), fast.quietAfterStall());
  }

  @Test
  void aStallIsAGapBetweenSuccessfulRoundTrips() {
    StallWatch w = new StallWatch(Duration.ofSeconds(10), Duration.ofSeconds(30));
    assertEquals(Duration.ZERO, w.reached(NOW));
    assertEquals(Duration.ZERO, w.reached(NOW.plusSeconds(5)));
    assertNull(w.quietUntil());
    assertEquals(Duration.ofSeconds(31), w.reached(NOW.plusSeconds(36)));
    assertEquals(NOW.plusSeconds(66), w.quietUntil());
  }

  @Test
  void theShellIsProvedFirstThenEveryTenthIntervalAndKeepalivesBetween() {
    Instant t = Instant.parse("2026-12-03T10:00:00Z");
    Duration every = Duration.ofMillis(500);
    assertTrue(HealthDecision.shellDue(null, t, every), "never proved here: the shell first");
    assertFalse(HealthDecision.shellDue(t, t.plusMillis(500), every));
    assertFalse(HealthDecision.shellDue(t, t.plusMillis(4_999), every));
    assertTrue(HealthDecision.shellDue(t, t.plusMillis(5_000), every), "ten intervals on");
  }
}

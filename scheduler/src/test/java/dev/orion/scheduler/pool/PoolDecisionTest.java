package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.schedule.Action;
import dev.orion.common.schedule.PoolOverride;
import dev.orion.common.schedule.WorkingHours;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolDecisionTest {
  static final Instant NOW = Instant.parse("2027-03-10T22:00:00Z"); // a Wednesday, 23:00 in Paris
  static final Instant LONG_AGO = NOW.minus(Duration.ofDays(3));
  static final WorkingHours OFFICE = WorkingHours.parse("Mon-Fri 08:00-19:00", List.of(), ZoneId.of("Europe/Paris"));

  static PoolSnapshot.Node node(long id, String status, boolean allocated, Instant registered, Instant claimedUntil) {
    return new PoolSnapshot.Node(id, "p", "w" + id, "10.0.0." + id, 22, "ssh-ed25519 K" + id, status, allocated,
        registered, claimedUntil);
  }

  static PoolSnapshot.Suspension record(long id, long node, String nodeStatus, Instant stoppedAt) {
    return new PoolSnapshot.Suspension(id, "p", node, "sandbox", stoppedAt, 0, "w" + node, "10.0.0." + node, 22,
        "ssh-ed25519 K" + node, nodeStatus);
  }

  static PoolSnapshot snapshot(boolean protectedPool, List<PoolOverride> overrides, Action applied,
      List<PoolSnapshot.Node> nodes, List<PoolSnapshot.Suspension> records, String argocdSaved) {
    return new PoolSnapshot(1, "p", protectedPool, "sandbox", Duration.ofMinutes(15), List.of(), Optional.of(OFFICE),
        null, overrides, applied, argocdSaved, nodes, records, List.of());
  }

  @Test
  void goingAsleepSuspendsOnlyFreeSettledUnclaimedNodesNotYetRecorded() {
    List<PoolSnapshot.Node> nodes = List.of(
        node(1, "alive", false, LONG_AGO, null),
        node(2, "alive", true, LONG_AGO, null),                     // leased: never interrupted
        node(3, "alive", false, NOW.minusSeconds(60), null),        // registered within the grace period
        node(4, "suspect", false, LONG_AGO, NOW.plusSeconds(5)),    // a health check holds it
        node(5, "dead", false, LONG_AGO, NOW.minusSeconds(5)),      // a lapsed claim does not count
        node(6, "suspended", false, LONG_AGO, null),                // already suspended (by an operator)
        node(7, "suspended", false, LONG_AGO, null));               // suspended by this pool, not yet stopped
    PoolPlan plan = PoolDecision.decide(snapshot(false, List.of(), Action.WAKE, nodes,
        List.of(record(70, 7, "suspended", null)), null), NOW);
    assertEquals(Action.SLEEP, plan.desired());
    assertEquals("schedule", plan.why());
    assertTrue(plan.enterSleep());
    assertEquals(List.of(1L, 5L), plan.suspend().stream().map(PoolSnapshot.Node::id).toList());
    assertEquals(List.of(70L), plan.stopAgain().stream().map(PoolSnapshot.Suspension::id).toList());
    assertTrue(plan.resume().isEmpty());
    assertFalse(plan.leaveSleep());
  }

  @Test
  void aLeaseThatEndsWhileThePoolSleepsLetsItsNodeSleepNextRound() {
    PoolPlan plan = PoolDecision.decide(snapshot(false, List.of(), Action.SLEEP,
        List.of(node(2, "alive", false, LONG_AGO, null)), List.of(), null), NOW);
    assertFalse(plan.enterSleep(), "already asleep: no hooks again");
    assertEquals(List.of(2L), plan.suspend().stream().map(PoolSnapshot.Node::id).toList());
  }

  @Test
  void wakingResumesExactlyTheRecordedNodesAndClosesRecordsOthersTookOver() {
    PoolOverride wake = new PoolOverride(Action.WAKE, NOW.minusSeconds(10), NOW.plusSeconds(3600));
    List<PoolSnapshot.Node> nodes = List.of(node(6, "suspended", false, LONG_AGO, null),
        node(7, "suspended", false, LONG_AGO, null), node(8, "alive", false, LONG_AGO, null));
    PoolPlan plan = PoolDecision.decide(snapshot(false, List.of(wake), Action.SLEEP, nodes,
        List.of(record(70, 7, "suspended", NOW.minusSeconds(600)), record(80, 8, "alive", NOW.minusSeconds(600))),
        "{\"app\":null}"), NOW);
    assertEquals(Action.WAKE, plan.desired());
    assertTrue(plan.why().startsWith("manual wake until"), plan.why());
    assertEquals(List.of(70L), plan.resume().stream().map(PoolSnapshot.Suspension::id).toList(),
        "node 6 was suspended by someone else: not this pool's to wake");
    assertEquals(List.of(80L), plan.stale().stream().map(PoolSnapshot.Suspension::id).toList());
    assertTrue(plan.leaveSleep());
    assertTrue(plan.restoreArgo());
    assertTrue(plan.suspend().isEmpty());
  }

  @Test
  void aProtectedPoolIsAlwaysAwakeAndAnIdlePoolDoesNothing() {
    PoolOverride sleep = new PoolOverride(Action.SLEEP, NOW.minusSeconds(10), NOW.plusSeconds(3600));
    PoolPlan plan = PoolDecision.decide(snapshot(true, List.of(sleep), Action.WAKE,
        List.of(node(1, "alive", false, LONG_AGO, null)), List.of(), null), NOW);
    assertEquals(Action.WAKE, plan.desired());
    assertTrue(plan.idle());
    PoolPlan day = PoolDecision.decide(snapshot(false, List.of(), Action.WAKE,
        List.of(node(1, "alive", false, LONG_AGO, null)), List.of(), null), Instant.parse("2027-03-10T10:00:00Z"));
    assertEquals(Action.WAKE, day.desired());
    assertTrue(day.idle());
  }

  @Test
  void anUnreadableScheduleKeepsWhatWasApplied() {
    PoolSnapshot s = new PoolSnapshot(1, "p", false, "none", Duration.ZERO, List.of(), Optional.empty(), "bad cron",
        List.of(), Action.SLEEP, null, List.of(node(1, "alive", false, LONG_AGO, null)), List.of(), List.of());
    PoolPlan plan = PoolDecision.decide(s, NOW);
    assertEquals(Action.SLEEP, plan.desired());
    assertFalse(plan.enterSleep());
  }
}

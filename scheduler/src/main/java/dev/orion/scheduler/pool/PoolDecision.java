package dev.orion.scheduler.pool;

import dev.orion.common.node.NodeStatus;
import dev.orion.common.schedule.Action;
import dev.orion.common.schedule.PoolDesire;
import dev.orion.common.schedule.PoolOverride;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pool reconciler's decision: a pure function of (snapshot, now). Level-triggered: it looks at
 * the state the pool should be in now and at what is, never at the transitions that led there, so
 * a scheduler that was down applies only the present state, and a round repeated after a lost
 * claim finds less to do.
 */
public final class PoolDecision {
  private PoolDecision() {}

  private static final Set<String> SUSPENDABLE = Set.of(
      NodeStatus.ALIVE.db(), NodeStatus.SUSPECT.db(), NodeStatus.DEAD.db());

  public static PoolPlan decide(PoolSnapshot s, Instant now) {
    Action desired = s.scheduleError() != null ? s.applied()
        : PoolDesire.at(s.protectedPool(), s.schedule(), s.overrides(), now);
    String why = why(s, now);
    String suspended = NodeStatus.SUSPENDED.db();
    List<PoolSnapshot.Suspension> stale = s.suspensions().stream()
        .filter(x -> !x.status().equals(suspended)).toList();
    List<PoolSnapshot.Suspension> open = s.suspensions().stream()
        .filter(x -> x.status().equals(suspended)).toList();
    if (desired == Action.SLEEP) {
      Set<Long> recorded = s.suspensions().stream().map(PoolSnapshot.Suspension::nodeId).collect(Collectors.toSet());
      Instant registeredBy = now.minus(s.grace());
      List<PoolSnapshot.Node> suspend = s.nodes().stream()
          .filter(n -> SUSPENDABLE.contains(n.status()))
          // Leased workers are never interrupted: they sleep once their lease ends.
          .filter(n -> !n.allocated())
          // Workers that just joined are left awake for the grace period.
          .filter(n -> !n.registeredAt().isAfter(registeredBy))
          // Another queue (a health check, a scrub) is working on it: next round.
          .filter(n -> n.claimedUntil() == null || !n.claimedUntil().isAfter(now))
          .filter(n -> !recorded.contains(n.id()))
          .toList();
      List<PoolSnapshot.Suspension> stopAgain = open.stream().filter(x -> x.stoppedAt() == null).toList();
      return new PoolPlan(desired, why, s.applied() == Action.WAKE, suspend, stopAgain, List.of(), stale,
          false, false);
    }
    return new PoolPlan(desired, why, false, List.of(), List.of(), open, stale, s.applied() == Action.SLEEP,
        s.argocdSaved() != null);
  }

  private static String why(PoolSnapshot s, Instant now) {
    if (s.scheduleError() != null) {
      return "schedule unreadable (" + s.scheduleError() + "): state kept";
    }
    if (s.protectedPool()) {
      return "protected pool";
    }
    PoolOverride newest = null;
    for (PoolOverride o : s.overrides()) {
      if (o.activeAt(now) && (newest == null || !o.createdAt().isBefore(newest.createdAt()))) {
        newest = o;
      }
    }
    if (newest != null) {
      return "manual " + newest.action().wire() + " until " + newest.until();
    }
    return s.schedule().isPresent() ? "schedule" : "no schedule";
  }
}

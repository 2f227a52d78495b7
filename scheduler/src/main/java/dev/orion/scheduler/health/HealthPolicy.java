package dev.orion.scheduler.health;

import dev.orion.scheduler.SchedulerConfig;
import java.time.Duration;

/**
 * The knobs of the health decisions.
 *
 * @param deadAfter K: consecutive failed probes before a node may be declared dead
 * @param massFailurePercent more than this share of the (not yet dead) fleet failing at once
 *     makes the control plane the suspect, not the nodes
 * @param guardMinNodes below this fleet size the mass-failure guard is off: one failing node of
 *     two is not "most of the fleet", it is a failing node
 * @param dbStall a gap this long between two successful database round trips of the health loop
 *     means this scheduler lost its database; deaths wait {@link #quietAfterStall()} after it
 */
public record HealthPolicy(
    Duration interval,
    int deadAfter,
    Duration heartbeatTimeout,
    int massFailurePercent,
    int guardMinNodes,
    Duration dbStall) {

  public static HealthPolicy from(SchedulerConfig c) {
    return new HealthPolicy(c.healthInterval(), c.deadAfterFailures(), c.heartbeatTimeout(),
        c.massFailurePercent(), c.guardMinNodes(), c.dbStallThreshold());
  }

  /**
   * After a stall, agents' heartbeats (written through the same database) had no chance to land,
   * so the heartbeat signal is blind until a full heartbeat timeout has passed; and K fresh probes
   * must confirm a failure that may have been this scheduler's own.
   */
  public Duration quietAfterStall() {
    Duration probes = interval.multipliedBy(deadAfter + 1L);
    return probes.compareTo(heartbeatTimeout) > 0 ? probes : heartbeatTimeout;
  }
}

package dev.orion.scheduler.pool;

import dev.orion.common.schedule.Action;
import dev.orion.common.schedule.PoolOverride;
import dev.orion.common.schedule.Timetable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the decision about one pool needs, read in the claiming transaction: its schedule
 * and overrides, what was last applied, its nodes and the open restore records.
 *
 * @param applied the state last applied ({@code pool_states.applied})
 * @param argocdSaved the ArgoCD sync policies removed before sleeping, not yet put back (JSON), or null
 * @param scheduleError why the stored schedule could not be read (the pool then keeps its state)
 */
public record PoolSnapshot(long stateId, String pool, boolean protectedPool, String driver, Duration grace,
    List<String> argocdApps, Optional<Timetable> schedule, String scheduleError, List<PoolOverride> overrides,
    Action applied, String argocdSaved, List<Node> nodes, List<Suspension> suspensions, List<Webhook> webhooks) {

  public record Node(long id, String pool, String hostname, String ip, int sshPort, String hostKey, String status,
      boolean allocated, Instant registeredAt, Instant claimedUntil) {
    PoolDriver.Target target() {
      return new PoolDriver.Target(id, hostname, ip, sshPort);
    }
  }

  /** An open restore record: a node this pool suspended and has not yet given back. */
  public record Suspension(long id, String pool, long nodeId, String driver, Instant stoppedAt, int attempts,
      String hostname, String ip, int sshPort, String hostKey, String status) {
    PoolDriver.Target target() {
      return new PoolDriver.Target(nodeId, hostname, ip, sshPort);
    }
  }

  public record Webhook(long id, String pool, String url, String secret) {}
}

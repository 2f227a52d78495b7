package dev.orion.scheduler.migration;

/** Pure: where a migrating lease should go, from its snapshot. */
public final class MigrationDecision {
  private MigrationDecision() {}

  public static MigrationPlan plan(MovingLease lease) {
    if (lease.targetNodeId() != null) {
      return new MigrationPlan.UseReserved(lease.targetNodeId());
    }
    if ("alive".equals(lease.nodeStatus())) {
      return new MigrationPlan.StayHome(lease.nodeId());
    }
    return new MigrationPlan.FindNode(lease.pool());
  }
}

package dev.orion.scheduler.expiry;

/** Pure: how to end a due lease, from its snapshot alone. */
public final class ExpiryDecision {
  private ExpiryDecision() {}

  public static ExpiryPlan plan(DueLease lease) {
    boolean nodeAlive = "alive".equals(lease.nodeStatus());
    String reason = "lease ended at " + lease.leasedUntil()
        + (nodeAlive ? "" : "; node " + lease.nodeId() + " is " + lease.nodeStatus()
            + ", its client user is scrubbed when it is back");
    return new ExpiryPlan(lease, nodeAlive, reason);
  }
}

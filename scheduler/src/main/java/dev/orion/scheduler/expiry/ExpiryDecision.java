package dev.orion.scheduler.expiry;

import java.util.ArrayList;
import java.util.List;

/** Pure: how to end a due lease, from its snapshot alone. */
public final class ExpiryDecision {
  private ExpiryDecision() {}

  public static ExpiryPlan plan(DueLease lease) {
    List<Long> nodes = new ArrayList<>(2);
    nodes.add(lease.nodeId());
    if (lease.targetNodeId() != null && lease.targetNodeId() != lease.nodeId()) {
      nodes.add(lease.targetNodeId());
    }
    boolean nodeAlive = "alive".equals(lease.nodeStatus());
    String reason = "lease ended at " + lease.leasedUntil()
        + (nodeAlive ? "" : "; node " + lease.nodeId() + " is " + lease.nodeStatus()
            + ", its client user is scrubbed when it is back");
    return new ExpiryPlan(lease, List.copyOf(nodes), nodeAlive, reason);
  }
}

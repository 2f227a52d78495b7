package dev.orion.scheduler.health;

import java.time.Instant;

/**
 * What the health checker writes back for one node.
 *
 * @param sparedReason why a node that had failed K probes was kept suspect instead of dead, or
 *     null when nothing was spared
 */
public record Verdict(
    long nodeId,
    String fromStatus,
    String toStatus,
    int probeFailures,
    String error,
    Instant nextCheckAt,
    String sparedReason) {

  /** Only a change the node table allows can be a verdict. */
  public Verdict {
    dev.orion.common.node.NodeStatus.requireTransition(fromStatus, toStatus);
  }

  public boolean diesNow() {
    return "dead".equals(toStatus) && !"dead".equals(fromStatus);
  }

  public boolean changes() {
    return !toStatus.equals(fromStatus);
  }
}

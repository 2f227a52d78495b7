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

  /** What the verdict writes on the node's row: equal outcomes of a round are one statement. */
  public Outcome outcome() {
    return new Outcome(toStatus, probeFailures, error, nextCheckAt, sparedReason);
  }

  /** A verdict without its node and the status it came from, which the row itself holds. */
  public record Outcome(String toStatus, int probeFailures, String error, Instant nextCheckAt, String sparedReason) {}
}

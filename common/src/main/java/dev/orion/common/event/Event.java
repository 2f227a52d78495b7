package dev.orion.common.event;

import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.node.NodeStatus;
import java.time.Instant;

/**
 * One entry of the event log ({@code events}, V4): what changed (kind, the ids it concerns, from/to
 * status, from/to node), who did it, when and why.
 */
public record Event(
    Kind kind, Instant at, String actor, Long leaseId, Long nodeId, String fromStatus, String toStatus,
    Long fromNodeId, Long toNodeId, String reason) {

  /** What an event is about (the CHECK constraint of V4 lists the same). */
  public enum Kind {
    LEASE, NODE;

    public String db() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public static final int MAX_REASON = 255;

  public Event {
    reason = reason.length() > MAX_REASON ? reason.substring(0, MAX_REASON) : reason;
  }

  /**
   * A lease transition; only one the lease table allows (see {@link LeaseStatus#requireTransition}).
   *
   * @param fromStatus null when the lease is created
   */
  public static Event lease(long leaseId, Instant at, String actor, String fromStatus, String toStatus,
      Long fromNodeId, Long toNodeId, String reason) {
    LeaseStatus.requireTransition(fromStatus, toStatus);
    return new Event(Kind.LEASE, at, actor, leaseId, null, fromStatus, toStatus, fromNodeId, toNodeId, reason);
  }

  /**
   * A node transition; only one the node table allows (see {@link NodeStatus#requireTransition}).
   *
   * @param fromStatus null when the node is enrolled
   */
  public static Event node(long nodeId, Instant at, String actor, String fromStatus, String toStatus, String reason) {
    if (fromStatus == null) {
      NodeStatus.of(toStatus); // an enrolment: any known status to start with
    } else {
      NodeStatus.requireTransition(fromStatus, toStatus);
    }
    return new Event(Kind.NODE, at, actor, null, nodeId, fromStatus, toStatus, null, null, reason);
  }

  public String kindDb() {
    return kind.db();
  }
}

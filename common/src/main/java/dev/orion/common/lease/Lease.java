package dev.orion.common.lease;

import java.time.Instant;

/**
 * A lease as its row stands, read under the row's lock ({@link LeaseStore#lock}): what every
 * transition is decided on, so nothing is freed or moved on the strength of a value remembered
 * from before.
 *
 * @param targetNodeId the node a migration in flight has reserved for it ({@code rentals.target_node_id})
 * @param claimedBy the scheduler holding the lease's claim (expiry, migration or rescue), if any
 * @param claimedUntil until when that claim keeps others away
 */
public record Lease(
    long id,
    long nodeId,
    Long targetNodeId,
    LeaseStatus status,
    String clientUser,
    Instant createdAt,
    Instant leasedUntil,
    String claimedBy,
    Instant claimedUntil) {

  /** A scheduler is working on the lease right now (its claim has not lapsed). */
  public boolean claimHeld(Instant now) {
    return claimedUntil != null && claimedUntil.isAfter(now);
  }
}

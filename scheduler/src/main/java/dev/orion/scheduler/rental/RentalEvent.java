package dev.orion.scheduler.rental;

import java.time.Instant;

/** One row of the append-only lease history; only a transition the lease table allows can be one. */
public record RentalEvent(
    long rentalId, Instant at, String actor, String fromStatus, String toStatus,
    Long fromNodeId, Long toNodeId, String reason) {
  public RentalEvent {
    dev.orion.common.lease.LeaseStatus.requireTransition(fromStatus, toStatus);
  }
}

package dev.orion.scheduler.rental;

import java.time.Instant;

/** One row of the append-only lease history. */
public record RentalEvent(
    long rentalId, Instant at, String actor, String fromStatus, String toStatus,
    Long fromNodeId, Long toNodeId, String reason) {}

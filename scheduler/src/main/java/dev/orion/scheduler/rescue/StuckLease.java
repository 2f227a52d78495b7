package dev.orion.scheduler.rescue;

import java.time.Instant;

/** A lease left provisioning by a rent that never finished, and its node. */
public record StuckLease(long id, long nodeId, Instant createdAt) {}

package dev.orion.common.schedule;

import java.time.Instant;

/** A manual wake or sleep of a pool, in force from {@code createdAt} until {@code until}. */
public record PoolOverride(Action action, Instant createdAt, Instant until) {
  public boolean activeAt(Instant now) {
    return !now.isBefore(createdAt) && now.isBefore(until);
  }
}

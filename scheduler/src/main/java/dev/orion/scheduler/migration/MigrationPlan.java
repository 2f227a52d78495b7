package dev.orion.scheduler.migration;

/** Where a migrating lease goes next. */
public sealed interface MigrationPlan {
  /** The lease's own node answers again: recreate the login there (idempotent) and stay. */
  record StayHome(long nodeId) implements MigrationPlan {}

  /** A node was reserved by an earlier attempt (maybe by a scheduler that died): reuse it. */
  record UseReserved(long nodeId) implements MigrationPlan {}

  /** Reserve a free node first. */
  record FindNode(String pool) implements MigrationPlan {}
}

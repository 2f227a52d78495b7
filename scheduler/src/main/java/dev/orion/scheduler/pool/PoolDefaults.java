package dev.orion.scheduler.pool;

/** What a pool without settings of its own gets (the API shows the same). */
final class PoolDefaults {
  private PoolDefaults() {}

  /** Workers that registered this recently are left awake when their pool goes to sleep. */
  static final int GRACE_MINUTES = 15;
}

package dev.orion.api.pool;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Node-hours a pool saved: the time its workers spent suspended inside a window. */
final class Savings {
  private Savings() {}

  /** Suspensions as (from, to) with {@code to == null} for still suspended; summed inside [since, now]. */
  static double nodeHours(List<PoolDao.Suspension> suspensions, Instant since, Instant now) {
    long millis = 0;
    for (PoolDao.Suspension s : suspensions) {
      Instant from = s.suspendedAt().isAfter(since) ? s.suspendedAt() : since;
      Instant to = s.resumedAt() == null || s.resumedAt().isAfter(now) ? now : s.resumedAt();
      if (to.isAfter(from)) {
        millis += Duration.between(from, to).toMillis();
      }
    }
    return Math.round(millis / 36_000.0) / 100.0; // hours, two decimals
  }
}

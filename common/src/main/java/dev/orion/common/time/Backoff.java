package dev.orion.common.time;

import java.time.Duration;

/** Capped doubling, the one back-off rule of the control plane (job retries, webhook deliveries). */
public final class Backoff {
  private Backoff() {}

  /** {@code base × 2^doublings}, at most {@code cap}; negative doublings count as none. */
  public static Duration doubling(Duration base, Duration cap, int doublings) {
    Duration d = base.multipliedBy(1L << Math.max(0, Math.min(doublings, 30)));
    return d.compareTo(cap) > 0 ? cap : d;
  }
}

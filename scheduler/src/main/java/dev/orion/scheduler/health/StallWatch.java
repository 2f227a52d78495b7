package dev.orion.scheduler.health;

import java.time.Duration;
import java.time.Instant;

/**
 * Notices when this scheduler lost its database: a gap between two successful round trips of the
 * health loop longer than the stall threshold. The loop talks to the database before and after
 * each probe round and polls several times per interval, so in a healthy process the gap stays
 * below the probe timeout plus one interval; the threshold must be above that.
 */
final class StallWatch {
  private final Duration threshold;
  private final Duration quiet;
  private Instant lastSuccess;
  private Instant quietUntil;

  StallWatch(Duration threshold, Duration quiet) {
    this.threshold = threshold;
    this.quiet = quiet;
  }

  /**
   * Called after each successful database round trip; returns the stall just observed, if any,
   * and starts the quiet period.
   */
  Duration reached(Instant now) {
    Duration gap = lastSuccess == null ? Duration.ZERO : Duration.between(lastSuccess, now);
    lastSuccess = now;
    if (gap.compareTo(threshold) > 0) {
      quietUntil = now.plus(quiet);
      return gap;
    }
    return Duration.ZERO;
  }

  /** End of the quiet period after the last stall, or null. */
  Instant quietUntil() {
    return quietUntil;
  }
}

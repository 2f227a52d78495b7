package dev.orion.scheduler.claim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Who claims work and for how long. A claim is the pair ({@code claimed_by}, {@code claimed_until})
 * written in the same short transaction that locked the row with {@code FOR UPDATE SKIP LOCKED};
 * every completion is conditional on the claim still being ours and not yet lapsed.
 */
public record Claimant(String id, Duration timeout, Clock clock) {
  public String actor() {
    return "scheduler:" + id;
  }

  /**
   * Now, cut to the microseconds the database keeps, so a time written and read back compares
   * equal to the one the code holds.
   */
  public Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  public Instant until(Instant now) {
    return now.plus(timeout);
  }
}

package dev.orion.agent;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter: the n-th wait is uniform in [0, min(cap, base * 2^n)].
 * Jitter spreads out a fleet of agents that all lost the control plane at the same moment, so
 * they do not come back in one synchronized wave.
 */
public final class Backoff {
  private final Duration base;
  private final Duration cap;
  private final RandomGenerator random;

  public Backoff(Duration base, Duration cap, RandomGenerator random) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("need 0 < base <= cap, got base " + base + ", cap " + cap);
    }
    this.base = base;
    this.cap = cap;
    this.random = random;
  }

  /** The defaults the agent uses: 500 ms base, 30 s cap. */
  public static Backoff standard(RandomGenerator random) {
    return new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), random);
  }

  /** The upper bound of the wait after {@code failures} consecutive failures (1 = first). */
  public Duration ceiling(int failures) {
    int shift = Math.max(0, Math.min(failures - 1, 30)); // 2^30 x base overflows nothing and exceeds any cap
    long ms = base.toMillis() << shift;
    return ms >= cap.toMillis() ? cap : Duration.ofMillis(ms);
  }

  /** A random wait in [0, ceiling(failures)]. */
  public Duration delay(int failures) {
    return Duration.ofMillis(random.nextLong(ceiling(failures).toMillis() + 1));
  }

  public Duration cap() {
    return cap;
  }
}

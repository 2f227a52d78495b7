package dev.orion.api.auth;

import java.time.Duration;

/**
 * How long logins for one account from one address are refused after {@code failures} failures
 * in the current window: nothing below the threshold, then 1 s doubling per further failure up to
 * {@code max}. Only that account from that address waits: the owner elsewhere logs in as usual.
 */
public record LoginThrottle(int threshold, Duration window, Duration max) {
  public Duration blockFor(int failures) {
    if (failures < threshold) {
      return Duration.ZERO;
    }
    int doublings = Math.min(failures - threshold, 30);
    long seconds = Math.min(1L << doublings, max.toSeconds());
    return Duration.ofSeconds(seconds);
  }
}

package dev.orion.common.load;

import java.time.Duration;
import java.time.Instant;

/**
 * An exponential moving average over irregular samples: a sample {@code dt} after the previous
 * one moves the average by {@code 1 - e^(-dt/tau)} of the difference, so the time constant, not
 * the heartbeat rate, sets how fast a burn shows (about 63 % of a step after one {@code tau}).
 */
public final class Smoothing {
  private Smoothing() {}

  public static double next(double average, Instant averageAt, double sample, Instant now, Duration tau) {
    if (!now.isAfter(averageAt)) {
      return average;
    }
    double dt = Duration.between(averageAt, now).toNanos();
    double weight = 1 - Math.exp(-dt / tau.toNanos());
    return average + weight * (sample - average);
  }
}

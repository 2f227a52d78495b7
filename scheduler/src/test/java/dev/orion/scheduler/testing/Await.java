package dev.orion.scheduler.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for a condition the system reaches on its own. The deadline only stops a broken build
 * from hanging; it is generous and never the thing under test.
 */
public final class Await {
  private Await() {}

  public static void until(String what, Duration deadline, BooleanSupplier condition) {
    until(what, deadline, condition, () -> "");
  }

  public static void until(String what, Duration deadline, BooleanSupplier condition, Supplier<String> state) {
    Instant end = Instant.now().plus(deadline);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("never happened within " + deadline + ": " + what + " " + state.get());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting for " + what);
      }
    }
  }
}

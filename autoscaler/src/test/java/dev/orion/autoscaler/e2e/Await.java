package dev.orion.autoscaler.e2e;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Polls a condition; the limit only bounds a broken run, it is never the thing tested. */
public final class Await {
  private Await() {}

  public static void until(Duration limit, String what, BooleanSupplier condition,
      Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("gave up waiting for " + what + " after " + limit + "; state: "
            + state.get());
      }
      Thread.sleep(100);
    }
  }
}

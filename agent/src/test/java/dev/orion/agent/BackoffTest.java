package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private final Backoff backoff = Backoff.standard(new Random(42));

  @Test
  void ceilingDoublesFromTheBaseUpToTheCap() {
    assertEquals(Duration.ofMillis(500), backoff.ceiling(1));
    assertEquals(Duration.ofMillis(1000), backoff.ceiling(2));
    assertEquals(Duration.ofMillis(2000), backoff.ceiling(3));
    assertEquals(Duration.ofMillis(16000), backoff.ceiling(6));
    assertEquals(Duration.ofSeconds(30), backoff.ceiling(7));
    assertEquals(Duration.ofSeconds(30), backoff.ceiling(1000), "no overflow however long it fails");
  }

  @Test
  void delaysAreFullJitterWithinTheCeiling() {
    for (int failures = 1; failures < 12; failures++) {
      long max = 0;
      long min = Long.MAX_VALUE;
      for (int i = 0; i < 2000; i++) {
        long d = backoff.delay(failures).toMillis();
        assertTrue(d >= 0 && d <= backoff.ceiling(failures).toMillis());
        max = Math.max(max, d);
        min = Math.min(min, d);
      }
      // Full jitter spans the whole range: some waits near zero, some near the ceiling.
      long ceiling = backoff.ceiling(failures).toMillis();
      assertTrue(min < ceiling / 10, "min " + min);
      assertTrue(max > ceiling * 9 / 10, "max " + max);
    }
  }

  @Test
  void rejectsNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), new Random()));
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), new Random()));
  }
}

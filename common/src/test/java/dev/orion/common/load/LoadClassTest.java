package dev.orion.common.load;

import static dev.orion.common.load.LoadClass.HIGH;
import static dev.orion.common.load.LoadClass.LOW;
import static dev.orion.common.load.LoadClass.MODERATE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoadClassTest {
  @Test
  void bordersAt33And66() {
    assertEquals(LOW, LoadClass.of(0));
    assertEquals(LOW, LoadClass.of(32.9));
    assertEquals(MODERATE, LoadClass.of(33));
    assertEquals(MODERATE, LoadClass.of(65.9));
    assertEquals(HIGH, LoadClass.of(66));
    assertEquals(HIGH, LoadClass.of(100));
  }

  @Test
  void aWorkerAtABorderDoesNotFlap() {
    LoadClass c = LOW;
    for (double v : new double[] {32, 34, 35, 31, 34.9}) {
      c = LoadClass.next(c, v, 3);
      assertEquals(LOW, c, "at " + v);
    }
    assertEquals(MODERATE, c = LoadClass.next(c, 36, 3));
    for (double v : new double[] {34, 31, 30.1, 67, 68.9}) {
      c = LoadClass.next(c, v, 3);
      assertEquals(MODERATE, c, "at " + v);
    }
    assertEquals(HIGH, c = LoadClass.next(c, 69, 3));
    assertEquals(HIGH, c = LoadClass.next(c, 63.1, 3));
    assertEquals(MODERATE, c = LoadClass.next(c, 62.9, 3));
    assertEquals(LOW, LoadClass.next(HIGH, 20, 3), "a big drop skips a class");
    assertEquals(HIGH, LoadClass.next(LOW, 95, 3), "a big rise too");
    assertEquals(MODERATE, LoadClass.next(null, 40, 3), "no history: plain borders");
  }

  @Test
  void smoothingFollowsTheTimeConstantNotTheSampleRate() {
    Instant t0 = Instant.parse("2027-01-01T00:00:00Z");
    Duration tau = Duration.ofSeconds(15);
    double one = Smoothing.next(0, t0, 100, t0.plus(tau), tau);
    assertEquals(63.2, one, 0.1, "one time constant after a step");
    double avg = 0;
    Instant at = t0;
    for (int i = 1; i <= 15; i++) { // the same 15 s in one-second heartbeats
      Instant now = t0.plusSeconds(i);
      avg = Smoothing.next(avg, at, 100, now, tau);
      at = now;
    }
    assertEquals(one, avg, 1e-9);
    assertEquals(42.0, Smoothing.next(42, t0, 100, t0, tau), "no time passed, no change");
  }
}

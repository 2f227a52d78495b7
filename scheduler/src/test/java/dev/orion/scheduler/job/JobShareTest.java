package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Jobs' share of a pool and the order free workers are taken in. */
class JobShareTest {
  @Test
  void theShareIsRoundedUpAndAtLeastOneWorker() {
    assertEquals(1, JobShare.cap(0, 50));
    assertEquals(1, JobShare.cap(1, 50));
    assertEquals(2, JobShare.cap(3, 50));
    assertEquals(2, JobShare.cap(4, 50));
    assertEquals(1, JobShare.cap(10, 1));
    assertEquals(10, JobShare.cap(10, 100));
    assertEquals(4, JobShare.cap(10, 33));
  }

  @Test
  void lowFirstThenModerateThenHigh() {
    assertEquals(List.of(new JobShare.Tier(true, List.of(2L, 5L, 7L)), new JobShare.Tier(false, List.of(5L, 7L)),
        new JobShare.Tier(false, List.of(2L))), JobShare.tiers(List.of(7L, 5L), List.of(2L)));
    assertEquals(List.of(new JobShare.Tier(true, List.of())), JobShare.tiers(List.of(), List.of()),
        "a fleet without load figures is all low");
  }
}

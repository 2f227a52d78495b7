package dev.orion.api.rental;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.api.load.LoadConfig;
import dev.orion.common.load.LoadClass;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The placement plan on its own: which free workers a rent takes first, in each mode. */
class PlacementTest {
  static final LoadConfig.Placement LOAD = LoadConfig.Placement.LOAD;
  static final LoadConfig.Placement SPREAD = LoadConfig.Placement.SPREAD;
  static final LoadConfig.Placement PACK = LoadConfig.Placement.PACK;

  static Placement.Candidate c(long id, LoadClass cls, double cpu) {
    return new Placement.Candidate(id, cls, cpu);
  }

  /** Free workers 1..n; takes {@code count} through the plan as the rent's locking reads would. */
  static List<Long> take(LoadConfig.Placement mode, List<Placement.Candidate> candidates, int free, int count,
      Set<Long> lockedByOthers) {
    List<Long> locked = new ArrayList<>();
    List<Long> got = Placement.take(Placement.plan(mode, candidates), count, (tier, limit) -> {
      List<Long> out = new ArrayList<>();
      for (long id = 1; id <= free && out.size() < limit; id++) {
        boolean in = tier.ids().contains(id) != tier.except();
        if (in && !lockedByOthers.contains(id) && !locked.contains(id)) {
          out.add(id);
        }
      }
      locked.addAll(out);
      return out;
    });
    return got;
  }

  static List<Long> take(LoadConfig.Placement mode, List<Placement.Candidate> candidates, int free, int count) {
    return take(mode, candidates, free, count, Set.of());
  }

  @Test
  void loadTakesLowThenModerateThenHigh() {
    List<Placement.Candidate> busy = List.of(c(1, LoadClass.HIGH, 90), c(2, LoadClass.MODERATE, 50),
        c(4, LoadClass.HIGH, 70), c(5, LoadClass.MODERATE, 40));
    assertEquals(List.of(3L), take(LOAD, busy, 5, 1), "the one low worker first");
    assertEquals(List.of(3L, 2L, 5L), take(LOAD, busy, 5, 3), "then moderate ones, in id order");
    assertEquals(List.of(3L, 2L, 5L, 1L, 4L), take(LOAD, busy, 5, 5), "high ones only when nothing else is free");
  }

  @Test
  void aHighWorkerIsALastResortInEveryMode() {
    List<Placement.Candidate> all = List.of(c(1, LoadClass.HIGH, 99), c(2, LoadClass.LOW, 20), c(3, LoadClass.LOW, 5));
    for (LoadConfig.Placement mode : LoadConfig.Placement.values()) {
      List<Long> got = take(mode, all, 3, 2);
      assertEquals(new TreeSet<>(List.of(2L, 3L)), new TreeSet<>(got), mode.toString());
      assertEquals(1L, (long) take(mode, all, 3, 3).get(2), mode.toString());
    }
  }

  @Test
  void spreadTakesTheLeastBusyFirstAndPackTheLowestIds() {
    List<Placement.Candidate> all = List.of(c(1, LoadClass.LOW, 25), c(2, LoadClass.MODERATE, 45),
        c(3, LoadClass.LOW, 2), c(4, LoadClass.LOW, 12));
    assertEquals(List.of(3L, 4L, 1L, 2L), take(SPREAD, all, 4, 4));
    assertEquals(List.of(1L, 2L, 3L, 4L), take(PACK, all, 4, 4));
    assertEquals(List.of(1L, 3L, 4L, 2L), take(LOAD, all, 4, 4));
  }

  @Test
  void spreadStillTakesWorkersThatBecameFreeAfterTheRead() {
    assertEquals(List.of(2L, 1L), take(SPREAD, List.of(c(2, LoadClass.LOW, 1)), 2, 2));
  }

  @Test
  void workersOtherRentsHoldAreSkippedAndTheNextTierFillsIn() {
    List<Placement.Candidate> busy = List.of(c(3, LoadClass.MODERATE, 50), c(4, LoadClass.HIGH, 90));
    assertEquals(List.of(2L, 3L), take(LOAD, busy, 4, 2, Set.of(1L)));
    assertEquals(List.of(4L), take(LOAD, busy, 4, 2, Set.of(1L, 2L, 3L)), "short: the rent retries or fails");
  }

  @Test
  void aFiringAlertsClassWinsAndNoFiguresCountAsLow() {
    assertEquals(c(7, LoadClass.HIGH, 10), Placement.candidate(7, "low", 10.0, "high"));
    assertEquals(c(7, LoadClass.LOW, 0), Placement.candidate(7, null, null, null));
    assertEquals(c(7, LoadClass.MODERATE, 50), Placement.candidate(7, "moderate", 50.0, null));
  }
}

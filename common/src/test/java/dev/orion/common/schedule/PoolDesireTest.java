package dev.orion.common.schedule;

import static dev.orion.common.schedule.Action.SLEEP;
import static dev.orion.common.schedule.Action.WAKE;
import static dev.orion.common.schedule.CronExpressionTest.PARIS;
import static dev.orion.common.schedule.CronExpressionTest.at;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PoolDesireTest {
  static final Optional<Timetable> OFFICE = Optional.of(TimetableTest.crons("0 8 * * 1-5", "0 19 * * 1-5", PARIS));
  static final Instant WED_NOON = at("2027-01-13T11:00:00Z"); // 12:00 in Paris
  static final Instant WED_NIGHT = at("2027-01-13T21:00:00Z");

  static PoolOverride override(Action a, Instant from, Duration d) {
    return new PoolOverride(a, from, from.plus(d));
  }

  @Test
  void theScheduleDecidesWhenNothingElseDoes() {
    assertEquals(WAKE, PoolDesire.at(false, OFFICE, List.of(), WED_NOON));
    assertEquals(SLEEP, PoolDesire.at(false, OFFICE, List.of(), WED_NIGHT));
    assertEquals(WAKE, PoolDesire.at(false, Optional.empty(), List.of(), WED_NIGHT), "no schedule: awake");
    assertEquals(Transition.of(SLEEP, at("2027-01-13T18:00:00Z"), PARIS),
        PoolDesire.next(false, OFFICE, List.of(), WED_NOON).orElseThrow());
  }

  @Test
  void aProtectedPoolIsAlwaysAwake() {
    List<PoolOverride> sleep = List.of(override(SLEEP, WED_NIGHT.minusSeconds(60), Duration.ofHours(1)));
    assertEquals(WAKE, PoolDesire.at(true, OFFICE, sleep, WED_NIGHT));
    assertEquals(Optional.empty(), PoolDesire.next(true, OFFICE, sleep, WED_NIGHT));
  }

  @Test
  void theNewestOverrideInForceWinsAndRunsOutByItself() {
    PoolOverride wake = override(WAKE, WED_NIGHT.minusSeconds(600), Duration.ofHours(2));
    assertEquals(WAKE, PoolDesire.at(false, OFFICE, List.of(wake), WED_NIGHT));
    assertEquals(Transition.of(SLEEP, wake.until(), PARIS), PoolDesire.next(false, OFFICE, List.of(wake), WED_NIGHT)
        .orElseThrow(), "asleep again when the manual wake runs out");
    assertEquals(SLEEP, PoolDesire.at(false, OFFICE, List.of(wake), wake.until()));

    PoolOverride sleepAfter = override(SLEEP, WED_NIGHT.minusSeconds(60), Duration.ofMinutes(30));
    assertEquals(SLEEP, PoolDesire.at(false, OFFICE, List.of(wake, sleepAfter), WED_NIGHT));
    assertEquals(Transition.of(WAKE, sleepAfter.until(), PARIS),
        PoolDesire.next(false, OFFICE, List.of(wake, sleepAfter), WED_NIGHT).orElseThrow(),
        "the older wake is still in force when the newer sleep runs out");
  }

  @Test
  void anOverrideThatAgreesWithTheScheduleChangesNothing() {
    PoolOverride sleep = override(SLEEP, WED_NIGHT, Duration.ofHours(1));
    assertEquals(Transition.of(WAKE, at("2027-01-14T07:00:00Z"), PARIS),
        PoolDesire.next(false, OFFICE, List.of(sleep), WED_NIGHT).orElseThrow());
    assertEquals(Optional.empty(), PoolDesire.next(false, Optional.empty(),
        List.of(override(WAKE, WED_NIGHT, Duration.ofHours(1))), WED_NIGHT));
  }
}

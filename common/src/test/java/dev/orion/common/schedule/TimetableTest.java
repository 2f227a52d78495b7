package dev.orion.common.schedule;

import static dev.orion.common.schedule.CronExpressionTest.LORD_HOWE;
import static dev.orion.common.schedule.CronExpressionTest.PARIS;
import static dev.orion.common.schedule.CronExpressionTest.at;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimetableTest {
  static CronTimetable crons(String start, String stop, ZoneId zone) {
    return new CronTimetable(CronExpression.parse("cron_start", start),
        CronExpression.parse("cron_stop", stop), zone);
  }

  @Test
  void cronStateIsThatOfTheLatestFiring() {
    CronTimetable office = crons("0 8 * * 1-5", "0 19 * * 1-5", PARIS);
    assertEquals(Action.WAKE, office.stateAt(at("2027-01-13T09:00:00Z"))); // Wed 10:00
    assertEquals(Action.SLEEP, office.stateAt(at("2027-01-13T19:00:00Z"))); // Wed 20:00
    assertEquals(Action.SLEEP, office.stateAt(at("2027-01-16T12:00:00Z"))); // Saturday
    assertEquals(Action.WAKE, office.stateAt(at("2027-01-18T07:00:00Z"))); // Mon 08:00 sharp
  }

  @Test
  void aTieWakesAndNothingFiredYetIsAwake() {
    assertEquals(Action.WAKE, crons("0 8 * * *", "0 8 * * *", PARIS).stateAt(at("2027-01-13T12:00:00Z")));
    assertEquals(List.of(), crons("0 8 * * *", "0 8 * * *", PARIS).upcoming(at("2027-01-13T12:00:00Z"), 5));
  }

  @Test
  void upcomingListsTheNextChangesInBothClocks() {
    CronTimetable office = crons("0 8 * * 1-5", "0 19 * * 1-5", PARIS);
    List<Transition> next = office.upcoming(at("2027-01-15T16:00:00Z"), 5); // Fri 17:00
    assertEquals(List.of(Action.SLEEP, Action.WAKE, Action.SLEEP, Action.WAKE, Action.SLEEP),
        next.stream().map(Transition::action).toList());
    assertEquals(at("2027-01-15T18:00:00Z"), next.get(0).at());
    assertEquals("2027-01-15T19:00+01:00[Europe/Paris]", next.get(0).atLocal().toString());
    assertEquals(at("2027-01-18T07:00:00Z"), next.get(1).at());
  }

  @Test
  void startsRepeatingBeforeOneStopAreOneChange() {
    CronTimetable t = crons("*/10 8-18 * * *", "0 19 * * *", PARIS);
    List<Transition> next = t.upcoming(at("2027-01-15T12:00:00Z"), 3);
    assertEquals(List.of(at("2027-01-15T18:00:00Z"), at("2027-01-16T07:00:00Z"), at("2027-01-16T18:00:00Z")),
        next.stream().map(Transition::at).toList());
  }

  @Test
  void workingHoursWithHolidays() {
    WorkingHours w = WorkingHours.parse(" Mon-Fri  08:00-19:00 ,Sat 10:00-14:00", List.of("2027-01-14"), PARIS);
    assertEquals("Mon-Fri 08:00-19:00, Sat 10:00-14:00", w.uptime());
    assertEquals(Action.WAKE, w.stateAt(at("2027-01-13T09:00:00Z"))); // Wed 10:00
    assertEquals(Action.SLEEP, w.stateAt(at("2027-01-14T09:00:00Z"))); // Thu, a holiday
    assertEquals(Action.WAKE, w.stateAt(at("2027-01-16T10:00:00Z"))); // Sat 11:00
    assertEquals(Action.SLEEP, w.stateAt(at("2027-01-17T10:00:00Z"))); // Sunday
    List<Transition> next = w.upcoming(at("2027-01-13T12:00:00Z"), 4);
    assertEquals(List.of(at("2027-01-13T18:00:00Z"), at("2027-01-15T07:00:00Z"), at("2027-01-15T18:00:00Z"),
        at("2027-01-16T09:00:00Z")), next.stream().map(Transition::at).toList());
  }

  @Test
  void workingHoursWrapTheWeekAndEndAtMidnight() {
    WorkingHours w = WorkingHours.parse("Fri-Mon 20:00-24:00", List.of(), PARIS);
    assertEquals(Action.WAKE, w.stateAt(at("2027-01-17T22:00:00Z"))); // Sun 23:00
    assertEquals(Action.SLEEP, w.stateAt(at("2027-01-19T22:00:00Z"))); // Tue 23:00
    WorkingHours allWeek = WorkingHours.parse("Mon-Sun 00:00-24:00", List.of("2027-01-14"), PARIS);
    assertEquals(List.of(at("2027-01-13T23:00:00Z"), at("2027-01-14T23:00:00Z")),
        allWeek.upcoming(at("2027-01-13T12:00:00Z"), 2).stream().map(Transition::at).toList());
  }

  @Test
  void workingHoursRefuseBadInputNamingTheField() {
    for (String bad : new String[] {"Mon-Fri 19:00-08:00", "Mon-Fri 8:00-19:00", "Mon-Fry 08:00-19:00",
        "Mon-Fri 08:00-25:00", "Mon-Fri 08:00-19:00 Europe/Paris", "", "Mon-Fri 08:00-19:00,"}) {
      ScheduleException e = assertThrows(ScheduleException.class,
          () -> WorkingHours.parse(bad, List.of(), PARIS), bad);
      assertTrue(e.detail().startsWith("uptime: "), e.detail());
    }
    ScheduleException e = assertThrows(ScheduleException.class,
        () -> WorkingHours.parse("Mon 08:00-09:00", List.of("2027-13-01"), PARIS));
    assertTrue(e.detail().startsWith("holidays: "), e.detail());
  }

  @Test
  void theRepeatedHourDoesNotWakeAPoolTwice() {
    // Sunday 2027-10-31 in Paris: awake until 02:30; 02:00-03:00 happens twice
    WorkingHours w = WorkingHours.parse("Sun 00:00-02:30", List.of(), PARIS);
    assertEquals(Action.WAKE, w.stateAt(at("2027-10-31T00:15:00Z"))); // 02:15 CEST
    assertEquals(Action.SLEEP, w.stateAt(at("2027-10-31T00:45:00Z"))); // 02:45 CEST
    assertEquals(Action.SLEEP, w.stateAt(at("2027-10-31T01:10:00Z"))); // 02:10 CET, again
    assertEquals(List.of(at("2027-10-31T00:30:00Z"), at("2027-11-06T23:00:00Z")),
        w.upcoming(at("2027-10-30T23:30:00Z"), 2).stream().map(Transition::at).toList());
    CronTimetable c = crons("0 0 * * 0", "30 2 * * 0", PARIS);
    assertEquals(Action.SLEEP, c.stateAt(at("2027-10-31T01:10:00Z")));
  }

  @Test
  void hoursEntirelyInsideASkippedHourNeverHappen() {
    WorkingHours w = WorkingHours.parse("Sun 02:00-03:00", List.of(), PARIS);
    assertEquals(at("2027-04-04T00:00:00Z"), w.upcoming(at("2027-03-27T12:00:00Z"), 1).get(0).at());
  }

  @Test
  void aSkippedStartWakesAtTheEndOfTheGap() {
    WorkingHours w = WorkingHours.parse("Sun 02:30-10:00", List.of(), PARIS);
    assertEquals(at("2027-03-28T01:00:00Z"), w.upcoming(at("2027-03-27T12:00:00Z"), 1).get(0).at());
    WorkingHours lh = WorkingHours.parse("Sun 02:15-10:00", List.of(), LORD_HOWE);
    assertEquals(at("2027-10-02T15:30:00Z"), lh.upcoming(at("2027-10-02T00:00:00Z"), 1).get(0).at());
  }

  /**
   * What {@link Timetable#upcoming} shows is what {@link Timetable#stateAt} does: every listed
   * change is a real change of state at exactly that instant, in order, alternating.
   */
  @Test
  void upcomingAgreesWithStateAtAcrossZonesAndDaylightSaving() {
    List<ZoneId> zones = List.of(PARIS, LORD_HOWE, ZoneId.of("Asia/Kolkata"), ZoneId.of("America/New_York"),
        ZoneId.of("UTC"));
    List<Timetable> tables = new java.util.ArrayList<>();
    for (ZoneId z : zones) {
      tables.add(crons("0 8 * * 1-5", "0 19 * * 1-5", z));
      tables.add(crons("*/20 1-3 * * *", "10 2 * * *", z));
      tables.add(crons("30 2 * * 0", "45 1 * * *", z));
      tables.add(WorkingHours.parse("Mon-Fri 08:00-19:00, Sun 01:45-02:15", List.of("2027-03-28", "2027-10-31"), z));
      tables.add(WorkingHours.parse("Sat-Sun 02:00-03:00", List.of(), z));
    }
    Random random = new Random(42);
    List<Instant> starts = new java.util.ArrayList<>(List.of(at("2027-03-27T12:00:00Z"),
        at("2027-10-30T12:00:00Z"), at("2027-04-03T00:00:00Z"), at("2027-10-02T00:00:00Z")));
    for (int i = 0; i < 20; i++) {
      starts.add(at("2027-01-01T00:00:00Z").plusSeconds(random.nextInt(365 * 86_400)));
    }
    for (Timetable t : tables) {
      for (Instant start : starts) {
        Action state = t.stateAt(start);
        Instant previous = start;
        for (Transition next : t.upcoming(start, 6)) {
          String where = t + " from " + start + " at " + next;
          assertTrue(next.at().isAfter(previous), where);
          assertNotEquals(state, next.action(), where);
          assertEquals(next.action(), t.stateAt(next.at()), where);
          assertEquals(state, t.stateAt(next.at().minus(Duration.ofMillis(1))), where);
          assertEquals(next.at(), next.atLocal().toInstant(), where);
          state = next.action();
          previous = next.at();
        }
      }
    }
  }
}

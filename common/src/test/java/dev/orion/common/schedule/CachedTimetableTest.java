package dev.orion.common.schedule;

import static dev.orion.common.schedule.CronExpressionTest.LORD_HOWE;
import static dev.orion.common.schedule.CronExpressionTest.PARIS;
import static dev.orion.common.schedule.CronExpressionTest.at;
import static dev.orion.common.schedule.TimetableTest.crons;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CachedTimetableTest {
  static List<Timetable> tables() {
    List<Timetable> tables = new ArrayList<>();
    for (ZoneId z : List.of(PARIS, LORD_HOWE, ZoneId.of("Asia/Kolkata"), ZoneId.of("America/New_York"),
        ZoneId.of("UTC"))) {
      tables.add(crons("0 8 * * 1-5", "0 19 * * 1-5", z));
      tables.add(crons("*/20 1-3 * * *", "10 2 * * *", z));
      tables.add(crons("30 2 * * 0", "45 1 * * *", z));
      tables.add(WorkingHours.parse("Mon-Fri 08:00-19:00, Sun 01:45-02:15", List.of("2027-03-28", "2027-10-31"), z));
      tables.add(WorkingHours.parse("Sat-Sun 02:00-03:00", List.of(), z));
    }
    tables.add(crons("0 8 * * *", "0 8 * * *", PARIS)); // every stop tied with a start: never changes
    tables.add(WorkingHours.parse("Mon-Sun 00:00-24:00", List.of(), PARIS)); // always awake
    return tables;
  }

  /**
   * Asked as a reconciler asks (a clock moving forward by seconds to hours, across both
   * daylight-saving changes, onto and just around every change of state), then out of order (a
   * clock set back), the cached timetable answers exactly what the timetable it wraps answers.
   */
  @Test
  void answersWhatTheTimetableItWrapsAnswers() {
    Random random = new Random(7);
    List<Instant> windows = List.of(at("2027-03-25T00:00:00Z"), at("2027-10-28T00:00:00Z"),
        at("2027-04-01T00:00:00Z"), at("2027-09-30T00:00:00Z"), at("2027-01-01T00:00:00Z")
            .plusSeconds(random.nextInt(365 * 86_400)));
    for (Timetable t : tables()) {
      Timetable cached = CachedTimetable.of(t);
      for (Instant start : windows) {
        Instant end = start.plus(Duration.ofDays(6));
        List<Instant> asked = new ArrayList<>();
        for (Instant i = start; i.isBefore(end); i = i.plusSeconds(1 + random.nextInt(3 * 3600))) {
          asked.add(i);
        }
        for (Transition change : t.upcoming(start, 12)) {
          if (change.at().isBefore(end)) {
            asked.addAll(List.of(change.at().minusNanos(1), change.at(), change.at().plusNanos(1)));
          }
        }
        Collections.sort(asked);
        for (Instant i : asked) {
          assertEquals(t.stateAt(i), cached.stateAt(i), t + " at " + i);
        }
        Collections.shuffle(asked, random);
        for (Instant i : asked.subList(0, Math.min(200, asked.size()))) {
          assertEquals(t.stateAt(i), cached.stateAt(i), t + " at " + i + ", asked out of order");
        }
        assertEquals(t.upcoming(start, 5), cached.upcoming(start, 5), t + " from " + start);
      }
    }
  }

  @Test
  void wrapsOnceAndKeepsTheZone() {
    Timetable t = crons("0 8 * * 1-5", "0 19 * * 1-5", PARIS);
    Timetable cached = CachedTimetable.of(t);
    assertSame(cached, CachedTimetable.of(cached));
    assertEquals(PARIS, cached.zone());
  }
}

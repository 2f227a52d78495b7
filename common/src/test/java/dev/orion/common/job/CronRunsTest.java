package dev.orion.common.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.schedule.ScheduleException;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Cron jobs fire once per wall-clock time, across daylight-saving changes. */
class CronRunsTest {
  static final String NEW_YORK = "America/New_York";

  static List<String> ats(List<CronRuns.Run> runs) {
    return runs.stream().map(r -> r.at().toString()).toList();
  }

  static List<String> locals(List<CronRuns.Run> runs) {
    return runs.stream().map(r -> r.atLocal().toOffsetDateTime().toString()).toList();
  }

  @Test
  void aTimeSkippedAtSpringForwardFiresOnceAtTheFirstValidInstant() {
    // 2026-03-08: New York's clocks go from 02:00 EST to 03:00 EDT; 02:30 does not exist that day.
    CronRuns runs = CronRuns.parse("30 2 * * *", NEW_YORK);
    List<CronRuns.Run> next = runs.after(Instant.parse("2026-03-07T00:00:00Z"), 3);
    assertEquals(List.of("2026-03-07T07:30:00Z", "2026-03-08T07:00:00Z", "2026-03-09T06:30:00Z"), ats(next));
    assertEquals(List.of("2026-03-07T02:30-05:00", "2026-03-08T03:00-04:00", "2026-03-09T02:30-04:00"),
        locals(next));
  }

  @Test
  void severalSkippedTimesFireOnceTogether() {
    CronRuns runs = CronRuns.parse("*/20 2 * * *", NEW_YORK);
    List<CronRuns.Run> next = runs.after(Instant.parse("2026-03-08T06:00:00Z"), 2);
    // 02:00, 02:20 and 02:40 all map to 03:00 EDT: one fire, then the next day's 02:00 EDT.
    assertEquals(List.of("2026-03-08T07:00:00Z", "2026-03-09T06:00:00Z"), ats(next));
  }

  @Test
  void aTimeRepeatedAtFallBackFiresOnce() {
    // 2026-11-01: 01:00-02:00 happens twice (EDT, then EST); 01:30 fires at its first occurrence only.
    CronRuns runs = CronRuns.parse("30 1 * * *", NEW_YORK);
    List<CronRuns.Run> next = runs.after(Instant.parse("2026-10-31T12:00:00Z"), 3);
    assertEquals(List.of("2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z", "2026-11-03T06:30:00Z"), ats(next));
    assertEquals("2026-11-01T01:30-04:00", locals(next).get(0));
    // Asked from inside the repeated hour (01:10 EST, after the first 01:30), it is not run again.
    assertEquals(Instant.parse("2026-11-02T06:30:00Z"), runs.next(Instant.parse("2026-11-01T06:10:00Z")).orElseThrow());
  }

  @Test
  void latestIsTheOneRunToStartAfterAnOutage() {
    CronRuns runs = CronRuns.parse("*/5 * * * *", "UTC");
    assertEquals(Instant.parse("2026-01-01T10:55:00Z"), runs.latest(Instant.parse("2026-01-01T10:59:59Z")).orElseThrow());
    assertEquals(Instant.parse("2026-01-01T11:00:00Z"), runs.latest(Instant.parse("2026-01-01T11:00:00Z")).orElseThrow());
  }

  @Test
  void showsFiveRunsInUtcAndLocalTime() {
    CronRuns runs = CronRuns.parse("0 9 * * 1-5", "Asia/Kolkata");
    List<CronRuns.Run> next = runs.after(Instant.parse("2026-12-04T00:00:00Z"), CronRuns.SHOWN);
    assertEquals(5, next.size());
    assertEquals("2026-12-04T03:30:00Z", next.get(0).at().toString()); // Friday 09:00 IST
    assertEquals("2026-12-07T03:30:00Z", next.get(1).at().toString()); // then Monday
    ZonedDateTime local = next.get(0).atLocal();
    assertEquals(9, local.getHour());
  }

  @Test
  void refusesBadCronAndZoneNamingTheField() {
    ScheduleException cron = assertThrows(ScheduleException.class, () -> CronRuns.parse("0 25 * * *", "UTC"));
    assertTrue(cron.detail().startsWith("cron: "), cron.detail());
    ScheduleException zone = assertThrows(ScheduleException.class, () -> CronRuns.parse("0 1 * * *", "Mars/Olympus"));
    assertTrue(zone.detail().startsWith("timezone: "), zone.detail());
    assertEquals("UTC", CronRuns.parse("0 1 * * *", null).zone().getId().replace("Z", "UTC"));
  }
}

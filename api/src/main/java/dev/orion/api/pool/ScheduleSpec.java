package dev.orion.api.pool;

import dev.orion.common.schedule.CronExpression;
import dev.orion.common.schedule.CronTimetable;
import dev.orion.common.schedule.Timetable;
import dev.orion.common.schedule.WorkingHours;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

/**
 * A validated schedule as stored: cron start/stop, or working hours with holidays, or neither
 * (its crons were removed). Texts are the cleaned forms.
 */
public record ScheduleSpec(String name, String pool, String cronStart, String cronStop,
    String uptime, List<LocalDate> holidays, ZoneId zone, boolean active) {

  public boolean scheduled() {
    return cronStart != null || uptime != null;
  }

  /** What the schedule asks for over time; empty once its crons are removed. */
  public Optional<Timetable> timetable() {
    if (cronStart != null) {
      return Optional.of(new CronTimetable(CronExpression.parse("cron_start", cronStart),
          CronExpression.parse("cron_stop", cronStop), zone));
    }
    if (uptime != null) {
      return Optional.of(WorkingHours.parse(uptime,
          holidays.stream().map(LocalDate::toString).toList(), zone));
    }
    return Optional.empty();
  }

  public ScheduleSpec withoutCrons() {
    return new ScheduleSpec(name, pool, null, null, null, List.of(), zone, active);
  }
}

package dev.orion.api.pool;

import dev.orion.common.problem.OrionException;
import dev.orion.common.schedule.CronExpression;
import dev.orion.common.schedule.WorkingHours;
import dev.orion.common.schedule.Zones;
import io.javalin.openapi.OpenApiIgnore;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;

/** The schedule body, as the workload scheduler writes it, plus working hours. */
public final class ScheduleRequests {
  static final int MAX_HOLIDAYS = 366;
  private static final int MAX_NAME = 64;

  private ScheduleRequests() {}

  /**
   * {@code uid} is the workload scheduler's name for the pool; either may be given. Either both
   * crons or {@code uptime} (with optional {@code holidays}), never both.
   */
  public record Body(String name, String pool, String uid, String cronStart, String cronStop,
      String timezone, String uptime, List<String> holidays, Boolean active) {

    @OpenApiIgnore
    ScheduleSpec validate(Set<String> protectedPools) {
      if (pool != null && uid != null && !pool.equals(uid)) {
        throw OrionException.badRequest("pool and uid name the same thing and differ; give one");
      }
      String target = PoolName.check("pool", pool != null ? pool : uid);
      if (protectedPools.contains(target)) {
        throw OrionException.badRequest("pool '" + target + "' is protected (ORION_PROTECTED_POOLS):"
            + " it never sleeps, so it takes no schedule");
      }
      String label = name == null ? target : name.strip();
      if (label.isEmpty() || label.length() > MAX_NAME || label.chars().anyMatch(Character::isISOControl)) {
        throw OrionException.badRequest("name must be 1-" + MAX_NAME + " characters without control characters");
      }
      ZoneId zone = Zones.parse("timezone", timezone);
      boolean crons = cronStart != null || cronStop != null;
      if (crons && uptime != null) {
        throw OrionException.badRequest("give cron_start and cron_stop, or uptime, not both");
      }
      if (crons) {
        if (holidays != null && !holidays.isEmpty()) {
          throw OrionException.badRequest("holidays go with uptime, not with crons");
        }
        String start = CronExpression.parse("cron_start", cronStart).text();
        String stop = CronExpression.parse("cron_stop", cronStop).text();
        return new ScheduleSpec(label, target, start, stop, null, List.of(), zone, active != Boolean.FALSE);
      }
      if (uptime == null) {
        throw OrionException.badRequest("give cron_start and cron_stop (e.g. \"0 8 * * 1-5\" and"
            + " \"0 19 * * 1-5\"), or uptime (e.g. \"Mon-Fri 08:00-19:00\")");
      }
      List<String> days = holidays == null ? List.of() : holidays;
      if (days.size() > MAX_HOLIDAYS) {
        throw OrionException.badRequest("at most " + MAX_HOLIDAYS + " holidays");
      }
      WorkingHours hours = WorkingHours.parse(uptime, days, zone);
      List<LocalDate> sorted = hours.holidays().stream().sorted().toList();
      return new ScheduleSpec(label, target, null, null, hours.uptime(), sorted, zone, active != Boolean.FALSE);
    }
  }
}

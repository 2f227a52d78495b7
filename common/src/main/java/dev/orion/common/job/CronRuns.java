package dev.orion.common.job;

import dev.orion.common.schedule.CronExpression;
import dev.orion.common.schedule.Zones;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When a cron job fires: its 5-field expression on the wall clock of its IANA zone, with the
 * daylight-saving rule every schedule shares (common.schedule's WallClock): a time skipped at
 * spring-forward fires once at the first valid instant after it, a time repeated at fall-back
 * fires once, at its first occurrence. Pure: the API shows {@link #after} as {@code next_runs}
 * and the schedulers fire from {@link #next} and {@link #latest}, so what is shown is what runs.
 */
public record CronRuns(CronExpression cron, ZoneId zone) {
  /** How many coming fire times an answer shows. */
  public static final int SHOWN = 5;

  public CronRuns {
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(zone, "zone");
  }

  /**
   * Parses a stored or requested cron job's {@code cron} and {@code timezone} (blank: UTC).
   *
   * @throws dev.orion.common.schedule.ScheduleException (400) naming the field
   */
  public static CronRuns parse(String cron, String timezone) {
    return new CronRuns(CronExpression.parse("cron", cron), Zones.parse("timezone", timezone));
  }

  /** One fire time: the instant, and the same instant on the cron job's clock. */
  public record Run(Instant at, ZonedDateTime atLocal) {}

  /** The first fire time strictly after {@code after}. */
  public Optional<Instant> next(Instant after) {
    return cron.next(after, zone);
  }

  /** The latest fire time at or before {@code atOrBefore} (after an outage: the one run to start). */
  public Optional<Instant> latest(Instant atOrBefore) {
    return cron.previous(atOrBefore, zone);
  }

  /** The next {@code n} fire times strictly after {@code after}, in order, each once. */
  public List<Run> after(Instant after, int n) {
    List<Run> out = new ArrayList<>(n);
    Instant cursor = after;
    while (out.size() < n) {
      Optional<Instant> at = cron.next(cursor, zone);
      if (at.isEmpty()) {
        break;
      }
      out.add(new Run(at.get(), at.get().atZone(zone)));
      cursor = at.get();
    }
    return out;
  }
}

package dev.orion.api.pool;

import dev.orion.common.schedule.Transition;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

/** Schedules as answered. */
public final class ScheduleViews {
  private ScheduleViews() {}

  /** {@code status} is SCHEDULED while it has crons or working hours, NOT_SCHEDULED after remove-crons. */
  public record Schedule(long id, String name, String pool, String cronStart, String cronStop,
      String uptime, List<String> holidays, String timezone, String status, boolean active,
      Instant lastUpdate, List<NextTransition> nextTransitions) {}

  /** A schedule checked but not saved: the transitions it would make next. */
  public record Preview(String pool, String timezone, List<NextTransition> nextTransitions) {}

  /** One coming change: {@code at} in UTC, {@code at_local} on the schedule's clock. */
  public record NextTransition(String action, Instant at, OffsetDateTime atLocal) {
    static NextTransition of(Transition t) {
      return new NextTransition(t.action().wire(), t.at(), t.atLocal().toOffsetDateTime());
    }
  }
}

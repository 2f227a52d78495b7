package dev.orion.common.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * The workload scheduler's kind of schedule: the pool wakes when {@code start} fires and sleeps
 * when {@code stop} fires. Level-triggered: the state at any instant is that of the latest
 * firing, so after downtime only the current state is applied, never a replay. When both fire at
 * the same instant, waking wins (a pool is never put to sleep by a tie). Before either has ever
 * fired the pool is awake.
 */
public record CronTimetable(CronExpression start, CronExpression stop, ZoneId zone)
    implements Timetable {
  /** Bounds the search for a stop that is not cancelled by a start at the same instant. */
  private static final int MAX_TIES = 1_000;

  public CronTimetable {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(stop, "stop");
    Objects.requireNonNull(zone, "zone");
  }

  @Override
  public Action stateAt(Instant now) {
    Optional<Instant> started = start.previous(now, zone);
    Optional<Instant> stopped = stop.previous(now, zone);
    if (stopped.isEmpty()) {
      return Action.WAKE;
    }
    if (started.isEmpty()) {
      return Action.SLEEP;
    }
    return stopped.get().isAfter(started.get()) ? Action.SLEEP : Action.WAKE;
  }

  @Override
  public Optional<Transition> nextChange(Instant after, Action from) {
    if (from == Action.SLEEP) {
      return start.next(after, zone).map(at -> Transition.of(Action.WAKE, at, zone));
    }
    Instant cursor = after;
    for (int i = 0; i < MAX_TIES; i++) {
      Optional<Instant> at = stop.next(cursor, zone);
      if (at.isEmpty()) {
        return Optional.empty();
      }
      if (!start.firesAt(at.get(), zone)) {
        return Optional.of(Transition.of(Action.SLEEP, at.get(), zone));
      }
      cursor = at.get();
    }
    return Optional.empty();
  }
}

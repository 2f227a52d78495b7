package dev.orion.common.schedule;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;

/**
 * Whether a pool should be awake: a pure function of (protection, schedule, overrides, now), so
 * the API shows and every scheduler applies the same answer. In order: a protected pool is always
 * awake; the newest override in force wins; then the schedule; a pool without one is awake.
 * Overrides are given in the order they were made.
 */
public final class PoolDesire {
  private PoolDesire() {}

  /** {@code schedule} is empty for a pool without an active schedule with crons or hours. */
  public static Action at(boolean protectedPool, Optional<Timetable> schedule, List<PoolOverride> overrides,
      Instant now) {
    if (protectedPool) {
      return Action.WAKE;
    }
    return inForce(overrides, now).map(PoolOverride::action).orElseGet(() -> scheduled(schedule, now));
  }

  /** The next change of {@link #at} after {@code now}: an override running out, or the schedule. */
  public static Optional<Transition> next(boolean protectedPool, Optional<Timetable> schedule,
      List<PoolOverride> overrides, Instant now) {
    if (protectedPool) {
      return Optional.empty();
    }
    Action state = at(false, schedule, overrides, now);
    Instant t = now;
    // Overrides are never created ahead of time, so past the last one in force only the schedule counts.
    for (Optional<PoolOverride> o = inForce(overrides, t); o.isPresent(); o = inForce(overrides, t)) {
      t = o.get().until();
      Action after = at(false, schedule, overrides, t);
      if (after != state) {
        return Optional.of(Transition.of(after, t, schedule.map(Timetable::zone).orElse(ZoneOffset.UTC)));
      }
    }
    Instant from = t;
    return schedule.flatMap(tt -> tt.nextChange(from, state));
  }

  /** The newest override in force; of overrides made at the same instant, the later in the list. */
  private static Optional<PoolOverride> inForce(List<PoolOverride> overrides, Instant now) {
    PoolOverride newest = null;
    for (PoolOverride o : overrides) {
      if (o.activeAt(now) && (newest == null || !o.createdAt().isBefore(newest.createdAt()))) {
        newest = o;
      }
    }
    return Optional.ofNullable(newest);
  }

  private static Action scheduled(Optional<Timetable> schedule, Instant now) {
    return schedule.map(t -> t.stateAt(now)).orElse(Action.WAKE);
  }
}

package dev.orion.common.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Optional;

/**
 * A timetable that remembers its last answer: the state at an instant holds until the schedule's
 * next change after that instant, so a caller that asks every few seconds (the pool reconciler,
 * for every pool each round) evaluates the crons or working hours once per change of state rather
 * than once per question. The answers are those of the timetable it wraps: an instant outside the
 * remembered span (later, or earlier, as a clock set back) is asked of that timetable again.
 *
 * <p>A schedule whose next change cannot be found (one that never changes) remembers that too, so
 * the fruitless search for it is not repeated on every question while the state stays the same.
 * Safe to share between threads: the span is one immutable value, replaced whole.
 */
public final class CachedTimetable implements Timetable {
  /**
   * The state over {@code [from, until)}; {@code until == null} when no next change was found,
   * then the span covers nothing and only tells that searching again is pointless for this state.
   */
  private record Span(Instant from, Instant until, Action state) {
    boolean covers(Instant t) {
      return until != null && !t.isBefore(from) && t.isBefore(until);
    }
  }

  private final Timetable timetable;
  private volatile Span span;

  private CachedTimetable(Timetable timetable) {
    this.timetable = Objects.requireNonNull(timetable, "timetable");
  }

  /** {@code timetable}, remembering its answers (itself if it does already). */
  public static Timetable of(Timetable timetable) {
    return timetable instanceof CachedTimetable ? timetable : new CachedTimetable(timetable);
  }

  @Override
  public ZoneId zone() {
    return timetable.zone();
  }

  @Override
  public Action stateAt(Instant now) {
    Span s = span;
    if (s != null && s.covers(now)) {
      return s.state();
    }
    Action state = timetable.stateAt(now);
    if (s != null && s.until() == null && s.state() == state) {
      return state; // a schedule that never changes: nothing to remember beyond the state itself
    }
    span = new Span(now, timetable.nextChange(now, state).map(Transition::at).orElse(null), state);
    return state;
  }

  @Override
  public Optional<Transition> nextChange(Instant after, Action from) {
    return timetable.nextChange(after, from);
  }

  @Override
  public String toString() {
    return timetable.toString();
  }
}

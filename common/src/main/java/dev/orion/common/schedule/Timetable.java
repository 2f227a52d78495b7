package dev.orion.common.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * When a pool should be awake, as a pure function of time: cron start/stop expressions or
 * working hours with holidays. The reconciler asks {@link #stateAt}; API answers show
 * {@link #upcoming}, computed by the same code, so what is shown is what will happen.
 */
public sealed interface Timetable permits CronTimetable, WorkingHours, CachedTimetable {
  ZoneId zone();

  /** The state the schedule asks for at {@code now}. */
  Action stateAt(Instant now);

  /** The first instant strictly after {@code after} at which the state becomes other than {@code from}. */
  Optional<Transition> nextChange(Instant after, Action from);

  /** The next {@code n} changes of state after {@code now}, in order. */
  default List<Transition> upcoming(Instant now, int n) {
    List<Transition> out = new ArrayList<>(n);
    Action state = stateAt(now);
    Instant cursor = now;
    while (out.size() < n) {
      Optional<Transition> t = nextChange(cursor, state);
      if (t.isEmpty()) {
        break;
      }
      out.add(t.get());
      state = t.get().action();
      cursor = t.get().at();
    }
    return out;
  }
}

package dev.orion.common.schedule;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/** One change of state: the instant it happens and the same instant on the schedule's clock. */
public record Transition(Action action, Instant at, ZonedDateTime atLocal) {
  public static Transition of(Action action, Instant at, ZoneId zone) {
    return new Transition(action, at, at.atZone(zone));
  }
}

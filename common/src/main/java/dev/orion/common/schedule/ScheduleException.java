package dev.orion.common.schedule;

import dev.orion.common.problem.OrionException;

/** A schedule that cannot be understood: always the caller's mistake, so a 400. */
public final class ScheduleException extends OrionException {
  public ScheduleException(String detail) {
    super(400, "Bad Request", detail);
  }
}

package dev.orion.common.worker;

/**
 * What a start request found on the worker.
 *
 * @param pgid the attempt's process group (0 when {@link State#NO_USER})
 */
public record JobStart(State state, int pgid) {
  public enum State {
    /** Started now. */
    STARTED,
    /** Started before (the run directory exists): nothing was started again, its process group is reported. */
    ALREADY_STARTED,
    /** The user it should run as does not exist (yet): nothing was started. */
    NO_USER
  }
}

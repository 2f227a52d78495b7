package dev.orion.common.worker;

import java.time.Duration;

/**
 * What a start request found on the worker.
 *
 * @param pgid the attempt's process group (0 when {@link State#NO_USER})
 * @param since how long before the answer the steps were started (zero when not measured)
 * @param look the attempt as the start left it, like a {@link JobPoll} from offset 0 (null when
 *     {@link State#NO_USER}); short steps have often ended already
 */
public record JobStart(State state, int pgid, Duration since, JobPoll look) {
  public enum State {
    /** Started now. */
    STARTED,
    /** Started before (the run directory exists): nothing was started again, its process group is reported. */
    ALREADY_STARTED,
    /** The user it should run as does not exist (and was not to be made): nothing was started. */
    NO_USER
  }
}

package dev.orion.common.worker;

/**
 * One look at a running attempt.
 *
 * @param running whether any process of its group is left
 * @param exitCode the exit status its wrapper recorded when the steps ended, or null while they run
 *     (or when the group was killed: then nothing is recorded)
 * @param size how many bytes of output it has written in all
 * @param chunk output from the offset asked for, at most the bytes asked for
 */
public record JobPoll(boolean running, Integer exitCode, long size, byte[] chunk) {
  /** The steps ended by themselves and their status is recorded. */
  public boolean exited() {
    return exitCode != null;
  }

  /** Nothing runs and nothing was recorded: the group was killed (or the worker restarted). */
  public boolean vanished() {
    return !running && exitCode == null;
  }
}

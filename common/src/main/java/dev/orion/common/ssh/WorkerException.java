package dev.orion.common.ssh;

/**
 * A worker could not be reached or a step on it failed. The message always names the node and
 * the step, so a log line alone says which machine needs attention and why.
 */
public class WorkerException extends Exception {
  /** What went wrong, so callers can tell a dead worker from a refused step. */
  public enum Kind {
    /** No TCP connection or SSH transport could be established. */
    UNREACHABLE,
    /** The worker presented a host key other than the pinned one: possibly an impostor. */
    HOST_KEY_MISMATCH,
    /** The admin key was refused. */
    AUTH_FAILED,
    /** The step did not finish within the command timeout. */
    TIMEOUT,
    /** The command ran and failed (non-zero exit status). */
    COMMAND_FAILED
  }

  private final long nodeId;
  private final String step;
  private final Kind kind;

  public WorkerException(WorkerEndpoint worker, String step, Kind kind, String detail, Throwable cause) {
    super(worker.describe() + ": " + step + " failed (" + kind.name().toLowerCase() + "): " + detail, cause);
    this.nodeId = worker.nodeId();
    this.step = step;
    this.kind = kind;
  }

  public WorkerException(WorkerEndpoint worker, String step, Kind kind, String detail) {
    this(worker, step, kind, detail, null);
  }

  public long nodeId() {
    return nodeId;
  }

  public String step() {
    return step;
  }

  public Kind kind() {
    return kind;
  }
}

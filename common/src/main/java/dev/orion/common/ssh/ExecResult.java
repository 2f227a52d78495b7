package dev.orion.common.ssh;

/** What a command run on a worker left behind. */
public record ExecResult(int exitCode, String stdout, String stderr) {
  /** Exit code reported when the command died from a signal and so has no exit status. */
  public static final int KILLED = -1;

  public boolean ok() {
    return exitCode == 0;
  }
}

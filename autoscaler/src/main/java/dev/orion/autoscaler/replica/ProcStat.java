package dev.orion.autoscaler.replica;

/**
 * Reads the CPU time of a process from the text of {@code /proc/<pid>/stat}.
 *
 * <p>The second field is the command name in parentheses and may itself contain spaces and
 * parentheses, so the fields are counted from the last {@code ')'}: after it come state (field
 * 3), ..., utime (14) and stime (15), in clock ticks.
 */
public final class ProcStat {
  private ProcStat() {}

  /** User plus system CPU time in clock ticks. */
  public static long cpuTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) {
      throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + statLine);
    }
    String[] f = statLine.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    if (f.length < 13) {
      throw new IllegalArgumentException("too few fields in /proc/<pid>/stat: " + statLine);
    }
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * CPU percent of one core between two readings: ticks used over wall time elapsed.
   *
   * @param ticksPerSecond the kernel's USER_HZ ({@code getconf CLK_TCK}, 100 on Linux)
   */
  public static double percent(long ticksBefore, long nanosBefore, long ticksAfter,
      long nanosAfter, long ticksPerSecond) {
    long wall = nanosAfter - nanosBefore;
    if (wall <= 0) {
      return 0;
    }
    double cpuSeconds = (double) (ticksAfter - ticksBefore) / ticksPerSecond;
    return Math.max(0, cpuSeconds * 1e9 / wall * 100);
  }
}

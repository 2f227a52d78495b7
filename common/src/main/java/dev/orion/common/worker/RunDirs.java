package dev.orion.common.worker;

import java.util.regex.Pattern;

/**
 * Where job attempts keep their files on a worker: one run directory per attempt, {@code
 * <root>/<job id>-<attempt>}, under a root-owned root, so a job's user cannot write there. A run
 * directory's existence is what makes an attempt's start happen at most once.
 */
public final class RunDirs {
  /** The root of every run directory on a worker. */
  public static final String ROOT = "/var/lib/orion/jobs";
  private static final Pattern RUN_DIR = Pattern.compile(Pattern.quote(ROOT) + "/[0-9]+-[0-9]+");

  private RunDirs() {}

  /** The run directory of a job's attempt. */
  public static String of(long jobId, int attempt) {
    return ROOT + "/" + jobId + "-" + attempt;
  }

  /** Whether {@code path} names a run directory (anything else under the root is not ours). */
  public static boolean isRunDir(String path) {
    return path != null && RUN_DIR.matcher(path).matches();
  }

  /** Refuses anything but a run directory: every script that removes one checks first. */
  public static void require(String runDir) {
    if (!isRunDir(runDir)) {
      throw new IllegalArgumentException("not a job run directory: '" + runDir + "'");
    }
  }
}

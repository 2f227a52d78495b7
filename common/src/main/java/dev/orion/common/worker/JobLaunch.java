package dev.orion.common.worker;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What starting one job attempt on a worker needs: where its files go, as whom it runs, its steps
 * (each an argv, run in order; the first that fails ends the attempt with its exit status) and
 * its environment (nothing else of the admin's environment leaks in).
 *
 * @param runDir the attempt's directory on the worker, under {@link RunDirs#ROOT}; its
 *     existence is what makes a start happen at most once
 * @param makeUser whether the start makes {@code user} when it is missing (a throwaway job user,
 *     in the same command); otherwise a missing user starts nothing
 */
public record JobLaunch(String runDir, String user, boolean makeUser, List<List<String>> steps,
    Map<String, String> env) {
  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  public JobLaunch {
    RunDirs.require(runDir);
    Objects.requireNonNull(user, "user");
    steps = steps.stream().map(List::copyOf).toList();
    env = Map.copyOf(env);
    if (steps.isEmpty() || steps.stream().anyMatch(List::isEmpty)) {
      throw new IllegalArgumentException("a job needs at least one step, each with a command");
    }
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (!ENV_NAME.matcher(e.getKey()).matches()) {
        throw new IllegalArgumentException("not an environment variable name: '" + e.getKey() + "'");
      }
      if (e.getValue().indexOf('\0') >= 0) {
        throw new IllegalArgumentException("environment variable " + e.getKey() + " holds a NUL byte");
      }
    }
  }
}

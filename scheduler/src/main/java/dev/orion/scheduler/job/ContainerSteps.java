package dev.orion.scheduler.job;

import dev.orion.common.job.JobSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The argv each step of an attempt runs: a step without an image runs its command as it is; a step
 * with one runs {@code <runtime> run --rm [-e NAME=value …] <image> <command…>}, where the runtime
 * is the worker's {@link JobSpec#CONTAINER_RUNTIME_LABEL} value, accepted only when it is one of
 * {@link #RUNTIMES} (a label is what an agent says about itself, never a program to run). The
 * argv items are quoted one by one when the start script is built ({@code common.ssh.Shell}).
 */
public final class ContainerSteps {
  /** The container runtimes a worker label may name. */
  public static final Set<String> RUNTIMES = Set.of("docker", "podman");
  // An image reference: registry/name:tag@digest characters only, never an option.
  private static final Pattern IMAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/:@+-]*");

  private ContainerSteps() {}

  /** Whether the stored spec has a step with an image (an unreadable spec fails at its start). */
  public static boolean needsRuntime(String specJson) {
    try {
      return needsRuntime(JobSpec.fromJson(specJson));
    } catch (RuntimeException e) {
      return false;
    }
  }

  public static boolean needsRuntime(JobSpec spec) {
    return spec.usesImages();
  }

  /**
   * The steps' argv lists; {@code runtime} is the worker's label value (null without one).
   *
   * @throws IllegalArgumentException a step has an image and the runtime is missing or unknown,
   *     or the image is not an image reference
   */
  public static List<List<String>> argv(JobSpec spec, String runtime) {
    List<List<String>> out = new ArrayList<>();
    for (JobSpec.Step s : spec.steps()) {
      if (s.image() == null) {
        out.add(s.command());
        continue;
      }
      if (runtime == null || !RUNTIMES.contains(runtime)) {
        throw new IllegalArgumentException("step " + s.name() + " has image " + s.image() + " but the worker's "
            + JobSpec.CONTAINER_RUNTIME_LABEL + " is " + (runtime == null ? "missing" : "'" + runtime + "'")
            + " (docker or podman)");
      }
      if (!IMAGE.matcher(s.image()).matches()) {
        throw new IllegalArgumentException("step " + s.name() + ": not an image reference: '" + s.image() + "'");
      }
      List<String> argv = new ArrayList<>(List.of(runtime, "run", "--rm"));
      for (Map.Entry<String, String> e : spec.env().entrySet()) {
        argv.add("-e");
        argv.add(e.getKey() + "=" + e.getValue());
      }
      argv.add(s.image());
      argv.addAll(s.command());
      out.add(List.copyOf(argv));
    }
    return out;
  }
}

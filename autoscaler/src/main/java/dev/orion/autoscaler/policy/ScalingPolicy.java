package dev.orion.autoscaler.policy;

import java.time.Duration;

/**
 * The knobs of the HPA rule. CPU is in percent of one core (as {@code docker stats} shows it), so
 * a replica busy on two cores reads 200.
 *
 * @param targetCpuPercent average CPU per replica the tier should run at
 * @param tolerance no change while {@code |avg/target - 1|} is at most this (0.1 = 10 %)
 * @param scaleDownWindow a scale-down uses the highest recommendation of this window, so one quiet
 *     sample after a burst does not shed replicas that the next burst needs again
 * @param maxStepUp most replicas added by one decision
 * @param maxStepDown most replicas removed by one decision
 */
public record ScalingPolicy(
    double targetCpuPercent,
    double tolerance,
    int minReplicas,
    int maxReplicas,
    Duration scaleDownWindow,
    int maxStepUp,
    int maxStepDown) {

  public ScalingPolicy {
    if (!(targetCpuPercent > 0)) {
      throw new IllegalArgumentException("target CPU must be positive, got " + targetCpuPercent);
    }
    if (tolerance < 0 || tolerance >= 1) {
      throw new IllegalArgumentException("tolerance must be in [0, 1), got " + tolerance);
    }
    if (minReplicas < 1 || maxReplicas < minReplicas) {
      throw new IllegalArgumentException(
          "need 1 <= min <= max, got min " + minReplicas + " max " + maxReplicas);
    }
    if (scaleDownWindow.isNegative()) {
      throw new IllegalArgumentException("scale-down window must not be negative");
    }
    if (maxStepUp < 1 || maxStepDown < 1) {
      throw new IllegalArgumentException("step limits must be at least 1");
    }
  }
}

package dev.orion.autoscaler.policy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The Kubernetes HPA rule, {@code desired = ceil(current × avg / target)}, as a pure function of
 * (samples, policy, now, history).
 *
 * <p>Order of the steps, each of which can only narrow the previous one: raw recommendation (with
 * tolerance and the conservative treatment of replicas without metrics), min/max, scale-down
 * stabilisation, step limits, and min/max again so that the bounds always win over the steps.
 */
public final class HpaPolicy {
  /** Keeps floating-point noise (55/50 = 1.1000000000000001) from deciding a boundary case. */
  private static final double EPSILON = 1e-9;

  private HpaPolicy() {}

  public static Decision decide(
      List<ReplicaSample> samples, ScalingPolicy policy, Instant now, List<Recommendation> history) {
    int current = samples.size();
    Raw raw = recommend(samples, policy);
    int recommended = clamp(raw.replicas, policy);

    List<Recommendation> kept = new ArrayList<>();
    Instant windowStart = now.minus(policy.scaleDownWindow());
    for (Recommendation r : history) {
      if (r.at().isAfter(windowStart)) {
        kept.add(r);
      }
    }
    kept.add(new Recommendation(now, recommended));

    StringBuilder why = new StringBuilder(raw.reason);
    if (recommended > raw.replicas) {
      why.append("; raised to min ").append(recommended);
    } else if (recommended < raw.replicas) {
      why.append("; lowered to max ").append(recommended);
    }
    int desired = recommended;
    if (recommended < current) {
      // Scale down only as far as the highest recommendation in the window allows.
      int highest = kept.stream().mapToInt(Recommendation::replicas).max().orElse(recommended);
      int stabilised = Math.min(current, highest);
      if (stabilised != recommended) {
        why.append("; stabilised at ").append(stabilised).append(" (highest in ")
            .append(policy.scaleDownWindow().toSeconds()).append("s window)");
      }
      desired = stabilised;
    }
    if (desired > current + policy.maxStepUp()) {
      desired = current + policy.maxStepUp();
      why.append("; step limit +").append(policy.maxStepUp());
    } else if (desired < current - policy.maxStepDown()) {
      desired = current - policy.maxStepDown();
      why.append("; step limit -").append(policy.maxStepDown());
    }
    int bounded = clamp(desired, policy);
    if (bounded != desired) {
      why.append("; bounded to [").append(policy.minReplicas()).append(", ")
          .append(policy.maxReplicas()).append("]");
    }
    return new Decision(current, bounded, why.toString(), kept);
  }

  private record Raw(int replicas, String reason) {}

  private static Raw recommend(List<ReplicaSample> samples, ScalingPolicy policy) {
    int current = samples.size();
    if (current == 0) {
      return new Raw(0, "no replicas");
    }
    List<ReplicaSample> measured = samples.stream().filter(ReplicaSample::hasMetric).toList();
    int missing = current - measured.size();
    if (measured.isEmpty()) {
      return new Raw(current, "no metrics from " + current + " replica(s), holding");
    }
    double sum = measured.stream().mapToDouble(s -> s.cpuPercent().getAsDouble()).sum();
    double target = policy.targetCpuPercent();
    double ratio = sum / measured.size() / target;
    String seen = String.format(Locale.ROOT, "avg cpu %.1f%% vs target %.1f%% over %d measured",
        sum / measured.size(), target, measured.size());
    if (Math.abs(ratio - 1) <= policy.tolerance() + EPSILON) {
      return new Raw(current, seen + ", within tolerance");
    }
    if (missing == 0) {
      return new Raw(ceil(ratio * current), seen + " -> " + ceil(ratio * current));
    }
    // Replicas without metrics are counted at the value least favourable to the move: idle on
    // the way up (a booting replica will soon take load), at target on the way down (it may be
    // busy). If that erases or reverses the move, hold.
    double assumed = ratio > 1 ? 0 : target;
    double conservative = (sum + missing * assumed) / current / target;
    if (Math.abs(conservative - 1) <= policy.tolerance() + EPSILON || (conservative > 1) != (ratio > 1)) {
      return new Raw(current, seen + ", " + missing + " without metrics, holding");
    }
    int n = ceil(conservative * current);
    return new Raw(n, seen + ", " + missing + " without metrics counted at "
        + (ratio > 1 ? "0%" : "target") + " -> " + n);
  }

  private static int ceil(double x) {
    return (int) Math.ceil(x - EPSILON);
  }

  private static int clamp(int n, ScalingPolicy policy) {
    return Math.max(policy.minReplicas(), Math.min(policy.maxReplicas(), n));
  }
}

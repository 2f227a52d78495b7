package dev.orion.autoscaler.policy;

import java.util.OptionalDouble;

/**
 * What the autoscaler saw of one replica in one tick. A replica that is not ready (still starting,
 * or failing its readiness check) or whose CPU could not be read counts toward the current size
 * but not toward the average.
 */
public record ReplicaSample(String replicaId, boolean ready, OptionalDouble cpuPercent) {

  public static ReplicaSample ready(String id, double cpu) {
    return new ReplicaSample(id, true, OptionalDouble.of(cpu));
  }

  public static ReplicaSample starting(String id) {
    return new ReplicaSample(id, false, OptionalDouble.empty());
  }

  boolean hasMetric() {
    return ready && cpuPercent.isPresent();
  }
}

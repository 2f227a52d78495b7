package dev.orion.autoscaler.policy;

import java.util.List;

/**
 * The outcome of one evaluation: how many replicas there should be, why, and the recommendation
 * history to pass to the next evaluation.
 */
public record Decision(int current, int desired, String reason, List<Recommendation> history) {

  public Decision {
    history = List.copyOf(history);
  }

  public int delta() {
    return desired - current;
  }

  public boolean changes() {
    return desired != current;
  }
}

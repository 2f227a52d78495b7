package dev.orion.scheduler.job;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Pure: how many of a pool's workers jobs may hold, and in which order free workers are taken. */
public final class JobShare {
  private JobShare() {}

  /** {@code share} percent of {@code workers}, rounded up, at least one. */
  public static int cap(int workers, int sharePercent) {
    return Math.max(1, (int) Math.ceil(workers * sharePercent / 100.0));
  }

  /**
   * A step of placement: free workers among {@code ids}, or every free worker but them when
   * {@code except}; each step in id order.
   */
  public record Tier(boolean except, List<Long> ids) {}

  /**
   * Low workers first (every free worker but the busy ones, so workers without load figures count
   * as low), then moderate, then high as a last resort: as the rent's placement does.
   */
  public static List<Tier> tiers(List<Long> moderate, List<Long> high) {
    List<Long> busy = new ArrayList<>(moderate);
    busy.addAll(high);
    List<Tier> tiers = new ArrayList<>();
    tiers.add(new Tier(true, List.copyOf(Set.copyOf(busy)).stream().sorted().toList()));
    if (!moderate.isEmpty()) {
      tiers.add(new Tier(false, moderate.stream().sorted().toList()));
    }
    if (!high.isEmpty()) {
      tiers.add(new Tier(false, high.stream().sorted().toList()));
    }
    return tiers;
  }
}

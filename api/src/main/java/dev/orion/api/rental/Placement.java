package dev.orion.api.rental;

import dev.orion.api.load.LoadConfig;
import dev.orion.common.load.LoadClass;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which free workers a rent takes first: a pure plan from the free workers' load, the mode and
 * nothing else. The plan is a list of tiers; the rent locks from the first tier, then the next
 * while it is short, each tier in id order with {@code FOR UPDATE SKIP LOCKED} (see
 * {@link PlacementDao}), so locking stays what it was before placement existed: rows in primary-key
 * order, at most as many as still needed, none waited on.
 *
 * <p>In every mode a high worker is a last resort: given out only when nothing else is free.
 */
public final class Placement {
  private Placement() {}

  /**
   * A free worker as placement sees it: its effective class (a firing alert's wins over the
   * heartbeats') and smoothed CPU; a worker without load figures yet counts as low at 0 %.
   */
  public record Candidate(long id, LoadClass loadClass, double cpuPercent) {}

  /** A candidate from what the database holds: the alert's class wins; no figures count as low. */
  public static Candidate candidate(long id, String heartbeatClass, Double cpuPercent, String alertClass) {
    String cls = alertClass != null ? alertClass : heartbeatClass != null ? heartbeatClass : "low";
    return new Candidate(id, LoadClass.valueOf(cls.toUpperCase(java.util.Locale.ROOT)),
        cpuPercent == null ? 0 : cpuPercent);
  }

  /**
   * One step of the plan: the free workers listed ({@code except} false), or every free worker but
   * those listed ({@code except} true), taken in id order.
   */
  public record Tier(boolean except, List<Long> ids) {
    static Tier only(List<Long> ids) {
      return new Tier(false, ids);
    }

    static Tier allBut(List<Long> ids) {
      return new Tier(true, ids);
    }
  }

  /** Width of spread's steps, in CPU points: within one step, id order keeps locking cheap. */
  static final int SPREAD_STEP = 10;

  /**
   * Whether {@link #plan} needs every free worker among its candidates ({@code spread}) or only
   * those that are not low ({@code load}, {@code pack}); a fleet is mostly idle, so the busy ones
   * are a short read.
   */
  public static boolean needsEveryCandidate(LoadConfig.Placement mode) {
    return mode == LoadConfig.Placement.SPREAD;
  }

  /**
   * The tiers a rent locks from, in order.
   *
   * @param candidates the busy free workers, or every free worker when
   *     {@link #needsEveryCandidate} says so; workers missing from the list are low
   */
  public static List<Tier> plan(LoadConfig.Placement mode, List<Candidate> candidates) {
    List<Long> high = ids(candidates, c -> c.loadClass() == LoadClass.HIGH);
    List<Tier> tiers = new ArrayList<>();
    switch (mode) {
      case LOAD -> {
        tiers.add(Tier.allBut(ids(candidates, c -> c.loadClass() != LoadClass.LOW)));
        List<Long> moderate = ids(candidates, c -> c.loadClass() == LoadClass.MODERATE);
        if (!moderate.isEmpty()) {
          tiers.add(Tier.only(moderate));
        }
      }
      case PACK -> tiers.add(Tier.allBut(high));
      case SPREAD -> {
        Map<Long, List<Long>> bySteps = new TreeMap<>();
        candidates.stream().filter(c -> c.loadClass() != LoadClass.HIGH)
            .sorted(Comparator.comparingLong(Candidate::id))
            .forEach(c -> bySteps.computeIfAbsent((long) Math.floor(Math.max(0, c.cpuPercent()) / SPREAD_STEP),
                k -> new ArrayList<>()).add(c.id()));
        bySteps.values().forEach(ids -> tiers.add(Tier.only(ids)));
        // Workers that became free after the candidates were read: after the known ones.
        tiers.add(Tier.allBut(candidates.stream().map(Candidate::id).sorted().toList()));
      }
      default -> throw new IllegalArgumentException(mode.toString());
    }
    if (!high.isEmpty()) {
      tiers.add(Tier.only(high));
    }
    return tiers;
  }

  /**
   * Takes {@code count} workers tier by tier: {@code lock} is asked for at most the number still
   * missing from one tier and answers those it locked. Returns fewer than {@code count} when the
   * tiers run out (the rent then fails or retries, as before).
   */
  public static <N> List<N> take(List<Tier> tiers, int count, TierLock<N> lock) {
    List<N> got = new ArrayList<>(count);
    for (Tier t : tiers) {
      if (got.size() >= count) {
        break;
      }
      if (!t.except() && t.ids().isEmpty()) {
        continue;
      }
      got.addAll(lock.lock(t, count - got.size()));
    }
    return got;
  }

  /** Locks up to {@code limit} free workers of one tier, in id order, skipping locked rows. */
  @FunctionalInterface
  public interface TierLock<N> {
    List<N> lock(Tier tier, int limit);
  }

  private static List<Long> ids(List<Candidate> cs, java.util.function.Predicate<Candidate> p) {
    return cs.stream().filter(p).map(Candidate::id).sorted().toList();
  }
}

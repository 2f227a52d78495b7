package dev.orion.scheduler.claim;

import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this scheduler's claims alive while their work runs: every renewal interval, one statement
 * per table pushes {@code claimed_until} of every claim still held to now plus the claim timeout.
 * A live scheduler therefore never loses a claim to slow work, while a dead or paused one stops
 * renewing and loses its claims within the timeout. A claim found lapsed is marked lost and no
 * longer renewed.
 */
public final class ClaimRenewer {
  private static final Logger log = LoggerFactory.getLogger(ClaimRenewer.class);
  /** Ids per statement: large batches stay well under the packet and placeholder limits. */
  private static final int CHUNK = 1000;

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final Map<ClaimTable, Map<Long, Claim<?>>> held = new EnumMap<>(ClaimTable.class);

  public ClaimRenewer(Jdbi jdbi, Claimant claimant) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    for (ClaimTable t : ClaimTable.values()) {
      held.put(t, new ConcurrentHashMap<>());
    }
  }

  void hold(ClaimTable table, List<? extends Claim<?>> claims) {
    Map<Long, Claim<?>> m = held.get(table);
    claims.forEach(c -> m.put(c.id(), c));
  }

  void drop(ClaimTable table, List<? extends Claim<?>> claims) {
    Map<Long, Claim<?>> m = held.get(table);
    claims.forEach(c -> m.remove(c.id(), c));
  }

  /** Stops renewing those of {@code claims} still held; returns them (completed and lost ones left out). */
  <C extends Claim<?>> List<C> dropHeld(ClaimTable table, List<C> claims) {
    Map<Long, Claim<?>> m = held.get(table);
    return claims.stream().filter(c -> m.remove(c.id(), c)).toList();
  }

  /**
   * Stops renewing every claim still held and releases them: the last step of a shutdown, after
   * the loops stopped, so work whose round did not end in time is taken over at once rather than
   * after the claim timeout. Should that round still complete, its fence finds the claims gone.
   */
  public int releaseAll() {
    int released = 0;
    for (Map.Entry<ClaimTable, Map<Long, Claim<?>>> e : held.entrySet()) {
      List<Long> ids = new ArrayList<>();
      for (Long id : List.copyOf(e.getValue().keySet())) {
        Claim<?> c = e.getValue().remove(id);
        if (c != null) {
          c.markLost(); // a round still running stops early where it checks
          ids.add(id);
        }
      }
      for (int i = 0; i < ids.size(); i += CHUNK) {
        List<Long> chunk = ids.subList(i, Math.min(ids.size(), i + CHUNK));
        try {
          released += jdbi.withExtension(ClaimDao.class, d -> d.release(e.getKey().sql(), chunk, claimant.id()));
        } catch (RuntimeException ex) {
          log.warn("releasing {} claims on {} failed, they lapse by themselves: {}", chunk.size(),
              e.getKey().sql(), ex.toString());
        }
      }
    }
    return released;
  }

  /** How many claims are held right now (all tables). */
  public int holding() {
    return held.values().stream().mapToInt(Map::size).sum();
  }

  /** One renewal round; returns how many claims it renewed. Runs on its own loop. */
  public int renew() {
    int renewed = 0;
    for (Map.Entry<ClaimTable, Map<Long, Claim<?>>> e : held.entrySet()) {
      List<Long> ids = new ArrayList<>(e.getValue().keySet());
      for (int i = 0; i < ids.size(); i += CHUNK) {
        renewed += renew(e.getKey(), e.getValue(), ids.subList(i, Math.min(ids.size(), i + CHUNK)));
      }
    }
    return renewed;
  }

  private int renew(ClaimTable table, Map<Long, Claim<?>> claims, List<Long> ids) {
    Instant now = claimant.now();
    Instant until = claimant.until(now);
    int n = ClaimTx.run(jdbi, h -> h.attach(ClaimDao.class).renew(table.sql(), ids, claimant.id(), now, until));
    if (n == ids.size()) {
      return n;
    }
    Set<Long> still = new HashSet<>(jdbi.withExtension(ClaimDao.class,
        d -> d.heldUntil(table.sql(), ids, claimant.id(), until)));
    for (long id : ids) {
      if (!still.contains(id)) {
        Claim<?> c = claims.remove(id);
        if (c != null) {
          // Either completed a moment ago (then nobody reads the flag) or lapsed before we renewed.
          c.markLost();
          log.debug("claim on {} {} not renewed: completed or lapsed", table.sql(), id);
        }
      }
    }
    return still.size();
  }
}

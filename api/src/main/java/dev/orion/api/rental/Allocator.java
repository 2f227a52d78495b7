package dev.orion.api.rental;

import dev.orion.api.Limits;
import dev.orion.api.auth.Principal;
import dev.orion.api.load.LoadConfig;
import dev.orion.common.lease.LeaseStore;
import dev.orion.common.problem.OrionException;
import dev.orion.common.ssh.ClientAccount;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The first step of a rent: {@code count} free alive clean workers locked with {@code SKIP LOCKED}
 * in the order placement prefers, within the account's limit, and a provisioning lease recorded on
 * each, in one transaction; or nothing and a 409 saying how many are free. The rent
 * ({@link RentalService#rent}) then provisions, and activates or abandons every lease.
 */
final class Allocator {
  /** A shortfall caused only by rows other rents hold briefly is retried this many times. */
  private static final int ALLOCATION_ATTEMPTS = 5;

  private final Jdbi jdbi;
  private final Limits limits;
  private final SleepingPools sleeping;
  private final LoadConfig.Placement placement;
  private final Supplier<Instant> clock;

  /** A provisioning lease and the node it holds. */
  record Allocation(long rentalId, RentalDao.FreeNode node) {}

  /** @param clock now, as the database stores it */
  Allocator(Jdbi jdbi, Limits limits, SleepingPools sleeping, LoadConfig.Placement placement, Supplier<Instant> clock) {
    this.jdbi = jdbi;
    this.limits = limits;
    this.sleeping = sleeping;
    this.placement = placement;
    this.clock = clock;
  }

  /** Locks {@code count} free nodes and records provisioning leases on them, or fails with 409. */
  List<Allocation> allocate(Principal caller, ClientAccount account, int count, Instant until) {
    for (int attempt = 1; ; attempt++) {
      // READ COMMITTED: the locking reads then take record locks only. At REPEATABLE READ each
      // tier's scan also gap-locks the free-node index up to the next entry, and marking a node
      // allocated inserts into that index: rents walking several tiers waited on and deadlocked
      // with each other instead of skipping.
      List<Allocation> got = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
        RentalDao dao = h.attach(RentalDao.class);
        // The account's row is locked first: two rents of one account are counted one after the
        // other, so together they cannot pass the limit that each passes alone.
        dao.lockUser(caller.userId());
        int live = dao.countLiveOf(caller.userId());
        if (live + count > limits.maxLeasedPerUser()) {
          throw OrionException.conflict("an account may hold at most " + limits.maxLeasedPerUser()
              + " live workers (ORION_MAX_LEASED_PER_USER); this one holds " + live + " and asked for " + count);
        }
        List<RentalDao.FreeNode> nodes = lockFree(h, dao, placementTiers(h), count);
        if (nodes.size() < count) {
          return null;
        }
        LeaseStore store = LeaseStore.on(h);
        Instant now = clock.get();
        List<Allocation> result = new ArrayList<>(count);
        for (RentalDao.FreeNode n : nodes) {
          long id = store.open(new LeaseStore.NewLease(caller.userId(), n.id(), account.user(),
              account.passwordCrypt(), account.publicKey(), now, until), caller.actor(), "rented until " + until);
          result.add(new Allocation(id, n));
        }
        return result;
      });
      if (got != null) {
        return got;
      }
      int free = jdbi.withExtension(RentalDao.class, RentalDao::countFree);
      // Fewer were lockable than are free: other rents hold some for a moment; try again.
      if (free < count || attempt == ALLOCATION_ATTEMPTS) {
        String asleep = sleeping.describe();
        throw OrionException.conflict("not enough free workers: " + count + " requested, "
            + Math.min(free, count - 1) + " free" + (asleep.isEmpty() ? "" : "; " + asleep));
      }
      sleepQuietly(Duration.ofMillis(ThreadLocalRandom.current().nextInt(2, Math.min(80, 10 << attempt))));
    }
  }

  /** The placement plan from the free workers' load, read without locks (pure once read). */
  private List<Placement.Tier> placementTiers(Handle h) {
    List<Placement.Candidate> candidates = h.attach(PlacementDao.class).candidates(
            Placement.needsEveryCandidate(placement) ? "" : PlacementDao.BUSY_ONLY).stream()
        .map(c -> Placement.candidate(c.id(), c.loadClass(), c.cpuPercent(), c.alertClass())).toList();
    return Placement.plan(placement, candidates);
  }

  /**
   * Locks up to {@code count} free nodes in the order placement prefers: the same SKIP LOCKED walk
   * in id order as ever, tier after tier. A node that turned busy or free since the plan was read
   * is only placed in another tier; whether it is free is checked by the locking read itself.
   */
  private List<RentalDao.FreeNode> lockFree(Handle h, RentalDao dao, List<Placement.Tier> tiers, int count) {
    PlacementDao p = h.attach(PlacementDao.class);
    return Placement.take(tiers, count, (tier, limit) -> !tier.except()
        ? p.lockAmong(tier.ids(), limit)
        : tier.ids().isEmpty() ? dao.lockFreeNodes(limit) : p.lockAllBut(tier.ids(), limit));
  }

  private static void sleepQuietly(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw OrionException.unavailable("interrupted");
    }
  }
}

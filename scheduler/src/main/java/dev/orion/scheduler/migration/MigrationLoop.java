package dev.orion.scheduler.migration;

import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.ClaimTx;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.rental.RentalEvent;
import dev.orion.scheduler.rental.RentalEvents;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves leases off dead nodes: claim a migrating lease, reserve a free alive node (recorded on the
 * lease, so a successor reuses it), recreate the same login there over SSH, then switch the lease
 * to the new node in one conditional transaction. With no free node the lease stays
 * {@code migrating} and is retried next round. Leases move in parallel, each independently.
 */
public final class MigrationLoop {
  private static final Logger log = LoggerFactory.getLogger(MigrationLoop.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final int batch;
  private final WorkerOps workers;
  private final ExecutorService ssh;

  public MigrationLoop(Jdbi jdbi, Claimant claimant, int batch, WorkerOps workers, ExecutorService ssh) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.batch = batch;
    this.workers = workers;
    this.ssh = ssh;
  }

  /** Leases known to be waiting for a free node: logged once, not every round. */
  private final java.util.Set<Long> waiting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** One round; returns how many leases moved, so a round of leases that all wait does not repeat at once. */
  public int tick() {
    Instant now = claimant.now();
    List<MovingLease> claimed = ClaimTx.run(jdbi, h -> {
      MigrationDao dao = h.attach(MigrationDao.class);
      List<Long> ids = dao.lockDue(now, batch);
      if (ids.isEmpty()) {
        return List.<MovingLease>of();
      }
      dao.claim(ids, claimant.id(), claimant.until(now));
      return dao.load(ids);
    });
    List<CompletableFuture<Boolean>> moves = claimed.stream()
        .map(lease -> CompletableFuture.supplyAsync(() -> migrateLogged(lease), ssh)).toList();
    return (int) moves.stream().filter(CompletableFuture::join).count();
  }

  private boolean migrateLogged(MovingLease lease) {
    try {
      return migrate(lease);
    } catch (RuntimeException e) {
      log.error("rental {} migrating->active off node {} failed; retried after its claim lapses",
          lease.id(), lease.nodeId(), e);
      return false;
    }
  }

  private boolean migrate(MovingLease lease) {
    MigrationPlan plan = MigrationDecision.plan(lease);
    long target;
    if (plan instanceof MigrationPlan.FindNode find) {
      Optional<Long> reserved = reserve(lease, find.pool());
      if (reserved.isEmpty()) {
        jdbi.useExtension(MigrationDao.class, dao -> dao.unclaim(lease.id(), claimant.id()));
        if (waiting.add(lease.id())) {
          log.info("rental {} stays migrating: no free alive node in pool {}; retried every round",
              lease.id(), find.pool());
        }
        return false;
      }
      target = reserved.get();
    } else if (plan instanceof MigrationPlan.UseReserved r) {
      target = r.nodeId();
    } else {
      target = ((MigrationPlan.StayHome) plan).nodeId();
    }
    Endpoint to = jdbi.withExtension(MigrationDao.class, dao -> dao.endpoint(target));
    try {
      workers.createAccount(to.worker(), lease.account());
    } catch (WorkerException e) {
      jdbi.useTransaction(h -> {
        MigrationDao dao = h.attach(MigrationDao.class);
        if (target != lease.nodeId() && dao.dropReservation(lease.id(), claimant.id()) == 1) {
          dao.releaseNode(target); // a half-made login may be there: free but unclean
        } else {
          dao.unclaim(lease.id(), claimant.id());
        }
      });
      log.warn("rental {} migrating->active to {} failed, trying another node next round: {}",
          lease.id(), to.describe(), e.getMessage());
      return false;
    }
    waiting.remove(lease.id());
    return finish(lease, to);
  }

  private Optional<Long> reserve(MovingLease lease, String pool) {
    return ClaimTx.run(jdbi, h -> {
      MigrationDao dao = h.attach(MigrationDao.class);
      if (dao.lockClaimed(lease.id(), claimant.id(), claimant.now()).isEmpty()) {
        return Optional.<Long>empty(); // released, expired or claim lapsed meanwhile
      }
      Optional<Long> node = dao.lockFreeNode(pool);
      if (node.isEmpty()) {
        return Optional.<Long>empty();
      }
      if (dao.reserve(lease.id(), node.get(), claimant.id(), claimant.now()) == 0
          || dao.allocate(node.get()) == 0) {
        h.rollback();
        return Optional.<Long>empty();
      }
      return node;
    });
  }

  private boolean finish(MovingLease lease, Endpoint to) {
    boolean moved = ClaimTx.run(jdbi, h -> {
      MigrationDao dao = h.attach(MigrationDao.class);
      Instant now = claimant.now();
      if (dao.move(lease.id(), to.id(), claimant.id(), now) == 0) {
        dao.freeOrphanedReservation(lease.id());
        return false;
      }
      boolean home = to.id() == lease.nodeId();
      if (!home) {
        dao.releaseNode(lease.nodeId());
      }
      h.attach(RentalEvents.class).append(new RentalEvent(lease.id(), now, claimant.actor(),
          "migrating", "active", lease.nodeId(), to.id(), home
              ? "node " + lease.nodeId() + " answers again; login recreated in place"
              : "moved off dead node " + lease.nodeId() + " to " + to.describe()));
      return true;
    });
    if (moved) {
      log.info("rental {} migrating->active: node {} -> {}", lease.id(), lease.nodeId(), to.describe());
    } else {
      log.info("rental {} migrating->active skipped: released, expired or claim lapsed meanwhile", lease.id());
    }
    return moved;
  }
}

package dev.orion.scheduler.migration;

import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.lease.LeaseStore;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves leases off dead nodes: claim a migrating lease, reserve a free alive node (recorded on the
 * lease, so a successor reuses it), recreate the same login there over SSH, then switch the lease
 * to the new node in one transaction fenced by the claim. With no free node the lease stays
 * {@code migrating} and is retried next round. Leases move in parallel, each independently.
 */
public final class MigrationLoop {
  private static final Logger log = LoggerFactory.getLogger(MigrationLoop.class);
  /** MariaDB's ER_LOCK_WAIT_TIMEOUT. */
  private static final int LOCK_WAIT_TIMEOUT = 1205;
  /**
   * How long a migration waits for a free node that others hold a lock on: their transactions are
   * short, and a migration waiting holds a database connection meanwhile.
   */
  public static final Duration FREE_NODE_WAIT = Duration.ofSeconds(1);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final ClaimQueue<MovingLease> queue;
  private final int batch;
  private final WorkerOps workers;
  private final ExecutorService ssh;
  private final long freeNodeWait;
  /** Leases known to be waiting for a free node: logged once, not every round. */
  private final Set<Long> waiting = ConcurrentHashMap.newKeySet();

  public MigrationLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, int batch, WorkerOps workers,
      ExecutorService ssh) {
    this(jdbi, claimant, renewer, batch, workers, ssh, FREE_NODE_WAIT);
  }

  /** @param freeNodeWait see {@link #FREE_NODE_WAIT}; whole seconds, at least one */
  public MigrationLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, int batch, WorkerOps workers,
      ExecutorService ssh, Duration freeNodeWait) {
    this.freeNodeWait = Math.max(1, freeNodeWait.toSeconds());
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.batch = batch;
    this.workers = workers;
    this.ssh = ssh;
    this.queue = new ClaimQueue<>("migration", ClaimTable.RENTALS, jdbi, claimant, renewer,
        ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(MigrationDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(MigrationDao.class).load(ids), MovingLease::id));
  }

  /** One round; returns how many leases moved, so a round of leases that all wait does not repeat at once. */
  public int tick() {
    return queue.claim(batch, claims -> {
      List<CompletableFuture<Boolean>> moves = claims.stream()
          .map(c -> CompletableFuture.supplyAsync(() -> migrateLogged(c), ssh)).toList();
      return (int) moves.stream().filter(CompletableFuture::join).count();
    });
  }

  private boolean migrateLogged(Claim<MovingLease> claim) {
    try {
      return migrate(claim);
    } catch (RuntimeException e) {
      log.error("rental {} migrating->active off node {} failed; released at the end of the round, retried",
          claim.id(), claim.item().nodeId(), e);
      return false;
    }
  }

  private boolean migrate(Claim<MovingLease> claim) {
    MovingLease lease = claim.item();
    MigrationPlan plan = MigrationDecision.plan(lease);
    long started = System.nanoTime();
    long target;
    if (plan instanceof MigrationPlan.FindNode find) {
      Optional<Long> reserved = reserve(claim, find.pool());
      if (reserved.isEmpty()) {
        queue.release(List.of(claim));
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
    long reservedAt = System.nanoTime();
    try {
      workers.createAccount(to.worker(), lease.account());
    } catch (WorkerException e) {
      // Whatever the row reserves is freed (unclean: a half-made login may be there), never the
      // node remembered above: the row is the reservation's one record.
      queue.complete(List.of(claim), (h, held) -> {
        if (!held.isEmpty()) {
          LeaseStore store = LeaseStore.on(h);
          store.lock(lease.id()).ifPresent(store::dropReservation);
        }
        return null;
      });
      log.warn("rental {} migrating->active to {} failed, trying another node next round: {}",
          lease.id(), to.describe(), e.getMessage());
      return false;
    }
    waiting.remove(lease.id());
    long createdAt = System.nanoTime();
    boolean moved = finish(claim, to);
    log.debug("rental {}: node reserved in {} ms, login made in {} ms, lease moved in {} ms", lease.id(),
        (reservedAt - started) / 1_000_000, (createdAt - reservedAt) / 1_000_000,
        (System.nanoTime() - createdAt) / 1_000_000);
    return moved;
  }

  /** Reserves a free node for the lease, while (and only if) the claim is still ours. */
  private Optional<Long> reserve(Claim<MovingLease> claim, String pool) {
    return queue.within(List.of(claim), (h, held) -> {
      if (held.isEmpty()) {
        return Optional.<Long>empty();
      }
      LeaseStore store = LeaseStore.on(h);
      Optional<Lease> locked = store.lock(claim.id());
      if (locked.isEmpty() || locked.get().status() != LeaseStatus.MIGRATING) {
        return Optional.<Long>empty();
      }
      if (locked.get().targetNodeId() != null) {
        return Optional.of(locked.get().targetNodeId());
      }
      Optional<Long> node = lockFreeNode(h.attach(MigrationDao.class), pool);
      if (node.isEmpty() || !store.reserve(locked.get(), node.get())) {
        return Optional.<Long>empty();
      }
      return node;
    });
  }

  /**
   * A free node of the pool, locked. Skips nodes others hold; should that leave none while the
   * pool has free nodes (all of them locked at that moment: a health round writing their verdicts,
   * a rent or another migration choosing, each a short transaction), waits for one briefly rather
   * than leaving the lease to wait a whole round with nodes to spare.
   */
  private Optional<Long> lockFreeNode(MigrationDao dao, String pool) {
    Optional<Long> node = dao.lockFreeNode(pool);
    if (node.isPresent() || !dao.anyFree(pool)) {
      return node;
    }
    try {
      return dao.lockFreeNodeWaiting(pool, freeNodeWait);
    } catch (UnableToExecuteStatementException e) {
      if (e.getCause() instanceof SQLException sql && sql.getErrorCode() == LOCK_WAIT_TIMEOUT) {
        return Optional.empty(); // only the statement is undone; the transaction goes on
      }
      throw e;
    }
  }

  private boolean finish(Claim<MovingLease> claim, Endpoint to) {
    MovingLease lease = claim.item();
    // The fence locks the lease row and returns it: one statement, not a fence and then a lock.
    boolean moved = queue.complete(List.of(claim),
        (h, ids, me, now) -> LeaseStore.on(h).lockClaimed(ids, me, now), Lease::id, (h, held, rows) -> {
      if (held.isEmpty()) {
        return false;
      }
      LeaseStore store = LeaseStore.on(h);
      Optional<Lease> locked = rows.stream().findFirst();
      if (locked.isEmpty() || locked.get().status() != LeaseStatus.MIGRATING) {
        // Ended meanwhile; ending freed whatever its row reserved.
        return false;
      }
      boolean home = to.id() == locked.get().nodeId();
      store.finishMigration(locked.get(), to.id(), claimant.now(), claimant.actor(), home
          ? "node " + lease.nodeId() + " answers again; login recreated in place"
          : "moved off dead node " + lease.nodeId() + " to " + to.describe());
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

package dev.orion.scheduler.expiry;

import dev.orion.common.lease.NodeCleanliness;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.common.lease.EndReason;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.lease.LeaseStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends leases at {@code leased_until}: claim a batch of due leases, end them in one transaction
 * through the lease store, which also frees their nodes (unallocated, not yet clean), then delete
 * each client user on its node if the node is alive and mark the node clean (fenced by the node's
 * dirty epoch: not if it was rented and freed again meanwhile). A node that is dead, or whose
 * user could not be deleted, stays unclean until the scrub loop has removed its client users.
 *
 * <p>The database is changed before the worker on purpose: a scheduler that dies after ending a
 * lease leaves an unclean node, which the scrub loop repairs; the opposite order could leave a
 * live lease whose user was already deleted.
 */
public final class ExpiryLoop {
  private static final Logger log = LoggerFactory.getLogger(ExpiryLoop.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final ClaimQueue<DueLease> queue;
  private final int batch;
  private final UserRemoval removal;
  private final ExecutorService ssh;

  /** Deletes a due lease's client user, its processes and files on its (alive) node. */
  @FunctionalInterface
  public interface UserRemoval {
    void remove(DueLease lease) throws Exception;
  }

  /**
   * @param removal null for an instance without SSH access: it ends leases and leaves their nodes
   *     unclean for the scrub loop of an instance that has it
   */
  public ExpiryLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, int batch, UserRemoval removal,
      ExecutorService ssh) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.batch = batch;
    this.removal = removal;
    this.ssh = ssh;
    this.queue = new ClaimQueue<>("expiry", ClaimTable.RENTALS, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(ExpiryDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(ExpiryDao.class).load(ids), DueLease::id));
  }

  /** One round; returns how many leases it claimed. */
  public int tick() {
    long started = System.nanoTime();
    return queue.claim(batch, claimed -> expire(started, claimed));
  }

  private int expire(long started, List<Claim<DueLease>> claimed) {
    if (claimed.isEmpty()) {
      return 0;
    }
    long claimedAt = System.nanoTime();
    List<Cleanup> ended = end(claimed);
    log.debug("claimed {} leases in {} ms, ended {} in {} ms", claimed.size(),
        (claimedAt - started) / 1_000_000, ended.size(), (System.nanoTime() - claimedAt) / 1_000_000);
    if (removal != null) {
      CompletableFuture.allOf(ended.stream()
          .map(c -> CompletableFuture.runAsync(() -> cleanUp(c), ssh))
          .toArray(CompletableFuture[]::new)).join();
    }
    return claimed.size();
  }

  /** A lease ended on an alive node: its user is deleted, then the node marked clean if still at {@code epoch}. */
  private record Cleanup(DueLease lease, long epoch) {}

  /** Ends the batch in one transaction; if that fails, each lease on its own so one bad row cannot block the rest. */
  private List<Cleanup> end(List<Claim<DueLease>> claims) {
    try {
      return queue.complete(claims, ExpiryLoop::lockClaimed, Lease::id, this::endInTx);
    } catch (RuntimeException batchFailure) {
      log.warn("ending {} leases in one transaction failed, retrying one by one: {}",
          claims.size(), batchFailure.toString());
    }
    List<Cleanup> ended = new ArrayList<>();
    for (Claim<DueLease> c : claims) {
      try {
        ended.addAll(queue.complete(List.of(c), ExpiryLoop::lockClaimed, Lease::id, this::endInTx));
      } catch (RuntimeException e) {
        log.error("rental {} {}->ended (expired) on node {} failed; retried after the claim lapses",
            c.id(), c.item().status(), c.item().nodeId(), e);
      }
    }
    return ended;
  }

  /** The completion's fence: the claimed leases still ours, locked, as the lease store reads them. */
  private static List<Lease> lockClaimed(Handle h, List<Long> ids, String me, Instant now) {
    return LeaseStore.on(h).lockClaimed(ids, me, now);
  }

  /**
   * Ends those of the held leases still due (an extend may have slipped in before the claim, a
   * release or reset by the API meanwhile), as their rows, locked by the fence, say.
   */
  private List<Cleanup> endInTx(Handle h, List<Claim<DueLease>> held, List<Lease> locked) {
    if (held.isEmpty()) {
      return List.of();
    }
    Instant now = claimant.now();
    LeaseStore store = LeaseStore.on(h);
    Map<Long, ExpiryPlan> plans = new HashMap<>();
    held.forEach(c -> plans.put(c.id(), ExpiryDecision.plan(c.item())));
    List<Lease> due = new ArrayList<>();
    for (Lease l : locked) {
      if ((l.status() == LeaseStatus.ACTIVE || l.status() == LeaseStatus.MIGRATING) && !l.leasedUntil().isAfter(now)) {
        due.add(l);
      } else {
        log.info("rental {} {}->ended (expired) skipped: extended, released or reset meanwhile",
            l.id(), l.status().db());
      }
    }
    if (due.isEmpty()) {
      return List.of();
    }
    Map<Long, Long> epochs = store.end(due, EndReason.EXPIRED, now, claimant.actor(), l -> plans.get(l.id()).reason());
    List<Cleanup> cleanups = new ArrayList<>();
    for (Lease l : due) {
      ExpiryPlan p = plans.get(l.id());
      log.info("rental {} {}->ended (expired) on node {} ({})", l.id(), l.status().db(), l.nodeId(),
          p.lease().nodeStatus());
      if (p.deleteUser()) {
        cleanups.add(new Cleanup(p.lease(), epochs.get(l.nodeId())));
      }
    }
    return cleanups;
  }

  private void cleanUp(Cleanup c) {
    DueLease lease = c.lease();
    try {
      removal.remove(lease);
      int marked = jdbi.withExtension(NodeCleanliness.class,
          dao -> dao.markClean(lease.nodeId(), c.epoch(), claimant.now()));
      if (marked == 1) {
        log.info("node {} unclean->clean: client user {} of rental {} deleted",
            lease.nodeId(), lease.clientUser(), lease.id());
      } else {
        log.info("node {}: client user {} of rental {} deleted; not marked clean, it was cleaned, rented or"
            + " freed again meanwhile", lease.nodeId(), lease.clientUser(), lease.id());
      }
    } catch (Exception e) {
      log.warn("node {} unclean->clean failed for user {} of rental {}; the scrub loop retries: {}",
          lease.nodeId(), lease.clientUser(), lease.id(), e.getMessage());
    }
  }
}

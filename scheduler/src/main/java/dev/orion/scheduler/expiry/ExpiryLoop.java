package dev.orion.scheduler.expiry;

import dev.orion.common.lease.NodeCleanliness;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends leases at {@code leased_until}: claim a batch of due leases, end them in one conditional
 * transaction that also frees their nodes (unallocated, not yet clean), then delete each client
 * user on its node if the node is alive and mark the node clean. A node that is dead, or whose
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
    List<ExpiryPlan> ended = end(claimed);
    log.debug("claimed {} leases in {} ms, ended {} in {} ms", claimed.size(),
        (claimedAt - started) / 1_000_000, ended.size(), (System.nanoTime() - claimedAt) / 1_000_000);
    if (removal != null) {
      CompletableFuture.allOf(ended.stream().filter(ExpiryPlan::deleteUser)
          .map(p -> CompletableFuture.runAsync(() -> cleanUp(p), ssh))
          .toArray(CompletableFuture[]::new)).join();
    }
    return claimed.size();
  }

  /** Ends the batch in one transaction; if that fails, each lease on its own so one bad row cannot block the rest. */
  private List<ExpiryPlan> end(List<Claim<DueLease>> claims) {
    try {
      return queue.complete(claims, this::endInTx);
    } catch (RuntimeException batchFailure) {
      log.warn("ending {} leases in one transaction failed, retrying one by one: {}",
          claims.size(), batchFailure.toString());
    }
    List<ExpiryPlan> ended = new ArrayList<>();
    for (Claim<DueLease> c : claims) {
      try {
        ended.addAll(queue.complete(List.of(c), this::endInTx));
      } catch (RuntimeException e) {
        log.error("rental {} {}->ended (expired) on node {} failed; retried after the claim lapses",
            c.id(), c.item().status(), c.item().nodeId(), e);
      }
    }
    return ended;
  }

  private List<ExpiryPlan> endInTx(Handle h, List<Claim<DueLease>> held) {
    if (held.isEmpty()) {
      return List.of();
    }
    Instant now = claimant.now();
    ExpiryDao dao = h.attach(ExpiryDao.class);
    Set<Long> due = new HashSet<>(dao.stillDue(held.stream().map(Claim::id).toList(), now));
    List<ExpiryPlan> ended = held.stream().filter(c -> due.contains(c.id()))
        .map(c -> ExpiryDecision.plan(c.item())).toList();
    for (Claim<DueLease> c : held) {
      if (!due.contains(c.id())) {
        log.info("rental {} {}->ended (expired) skipped: extended, released or reset meanwhile",
            c.id(), c.item().status());
      }
    }
    if (ended.isEmpty()) {
      return ended;
    }
    dao.endExpired(ended.stream().map(p -> p.lease().id()).toList(), now);
    List<Event> events = new ArrayList<>(ended.size());
    List<Long> nodes = new ArrayList<>();
    for (ExpiryPlan p : ended) {
      events.add(Event.lease(p.lease().id(), now, claimant.actor(), p.lease().status(), "ended",
          p.lease().nodeId(), null, p.reason()));
      nodes.addAll(p.nodesToFree());
    }
    h.attach(NodeCleanliness.class).freeDirty(nodes);
    EventLog.append(h, events);
    for (ExpiryPlan p : ended) {
      log.info("rental {} {}->ended (expired) on node {} ({})", p.lease().id(), p.lease().status(),
          p.lease().nodeId(), p.lease().nodeStatus());
    }
    return ended;
  }

  private void cleanUp(ExpiryPlan plan) {
    DueLease lease = plan.lease();
    try {
      removal.remove(lease);
      jdbi.useExtension(NodeCleanliness.class, dao -> dao.markClean(lease.nodeId()));
      log.info("node {} unclean->clean: client user {} of rental {} deleted",
          lease.nodeId(), lease.clientUser(), lease.id());
    } catch (Exception e) {
      log.warn("node {} unclean->clean failed for user {} of rental {}; the scrub loop retries: {}",
          lease.nodeId(), lease.clientUser(), lease.id(), e.getMessage());
    }
  }
}

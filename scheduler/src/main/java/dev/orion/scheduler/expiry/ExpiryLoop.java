package dev.orion.scheduler.expiry;

import dev.orion.scheduler.claim.ClaimTx;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.rental.RentalEvent;
import dev.orion.scheduler.rental.RentalEvents;
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
  public ExpiryLoop(Jdbi jdbi, Claimant claimant, int batch, UserRemoval removal, ExecutorService ssh) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.batch = batch;
    this.removal = removal;
    this.ssh = ssh;
  }

  /** One round; returns how many leases it claimed. */
  public int tick() {
    long started = System.nanoTime();
    List<DueLease> claimed = claim();
    if (claimed.isEmpty()) {
      return 0;
    }
    long claimedAt = System.nanoTime();
    List<ExpiryPlan> plans = claimed.stream().map(ExpiryDecision::plan).toList();
    List<ExpiryPlan> ended = end(plans);
    log.debug("claimed {} leases in {} ms, ended {} in {} ms", claimed.size(),
        (claimedAt - started) / 1_000_000, ended.size(), (System.nanoTime() - claimedAt) / 1_000_000);
    if (removal != null) {
      CompletableFuture.allOf(ended.stream().filter(ExpiryPlan::deleteUser)
          .map(p -> CompletableFuture.runAsync(() -> cleanUp(p), ssh))
          .toArray(CompletableFuture[]::new)).join();
    }
    return claimed.size();
  }

  private List<DueLease> claim() {
    Instant now = claimant.now();
    return ClaimTx.run(jdbi, h -> {
      ExpiryDao dao = h.attach(ExpiryDao.class);
      List<Long> ids = dao.lockDue(now, batch);
      if (ids.isEmpty()) {
        return List.of();
      }
      dao.claim(ids, claimant.id(), claimant.until(now));
      return dao.load(ids);
    });
  }

  /** Ends the batch in one transaction; if that fails, each lease on its own so one bad row cannot block the rest. */
  private List<ExpiryPlan> end(List<ExpiryPlan> plans) {
    try {
      return ClaimTx.run(jdbi, h -> endInTx(h, plans));
    } catch (RuntimeException batchFailure) {
      log.warn("ending {} leases in one transaction failed, retrying one by one: {}",
          plans.size(), batchFailure.toString());
    }
    List<ExpiryPlan> ended = new ArrayList<>();
    for (ExpiryPlan plan : plans) {
      try {
        ended.addAll(ClaimTx.run(jdbi, h -> endInTx(h, List.of(plan))));
      } catch (RuntimeException e) {
        log.error("rental {} {}->ended (expired) on node {} failed; retried after the claim lapses",
            plan.lease().id(), plan.lease().status(), plan.lease().nodeId(), e);
      }
    }
    return ended;
  }

  private List<ExpiryPlan> endInTx(Handle h, List<ExpiryPlan> plans) {
    Instant now = claimant.now();
    ExpiryDao dao = h.attach(ExpiryDao.class);
    List<Long> ids = plans.stream().map(p -> p.lease().id()).toList();
    if (dao.endClaimed(ids, claimant.id(), now) == 0) {
      logLost(plans, Set.of());
      return List.of();
    }
    Set<Long> endedIds = new HashSet<>(dao.endedBy(ids, claimant.id()));
    List<ExpiryPlan> ended = plans.stream().filter(p -> endedIds.contains(p.lease().id())).toList();
    List<RentalEvent> events = new ArrayList<>(ended.size());
    List<Long> nodes = new ArrayList<>();
    for (ExpiryPlan p : ended) {
      events.add(new RentalEvent(p.lease().id(), now, claimant.actor(), p.lease().status(), "ended",
          p.lease().nodeId(), null, p.reason()));
      nodes.addAll(p.nodesToFree());
    }
    h.attach(RentalEvents.class).appendAll(events);
    dao.release(nodes);
    for (ExpiryPlan p : ended) {
      log.info("rental {} {}->ended (expired) on node {} ({})", p.lease().id(), p.lease().status(),
          p.lease().nodeId(), p.lease().nodeStatus());
    }
    logLost(plans, endedIds);
    return ended;
  }

  private void logLost(List<ExpiryPlan> plans, Set<Long> endedIds) {
    for (ExpiryPlan p : plans) {
      if (!endedIds.contains(p.lease().id())) {
        log.info("rental {} {}->ended (expired) skipped: extended, released or claim lapsed meanwhile",
            p.lease().id(), p.lease().status());
      }
    }
  }

  private void cleanUp(ExpiryPlan plan) {
    DueLease lease = plan.lease();
    try {
      removal.remove(lease);
      jdbi.useExtension(ExpiryDao.class, dao -> dao.markClean(lease.nodeId()));
      log.info("node {} unclean->clean: client user {} of rental {} deleted",
          lease.nodeId(), lease.clientUser(), lease.id());
    } catch (Exception e) {
      log.warn("node {} unclean->clean failed for user {} of rental {}; the scrub loop retries: {}",
          lease.nodeId(), lease.clientUser(), lease.id(), e.getMessage());
    }
  }
}

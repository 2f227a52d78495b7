package dev.orion.scheduler.rescue;

import dev.orion.common.lease.EndReason;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.lease.LeaseStore;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends leases stranded in {@code provisioning} (their API replica died mid-rent) as
 * {@code ended(failed)}, with an event, and frees their nodes dirty: the scrub loop then deletes
 * whatever account the dead rent had created and makes the nodes rentable again.
 */
public final class RescueLoop {
  private static final Logger log = LoggerFactory.getLogger(RescueLoop.class);

  private final ClaimQueue<StuckLease> queue;
  private final Claimant claimant;
  private final Duration stuckAfter;
  private final int batch;

  /** @param stuckAfter how long a rent may be provisioning before it counts as abandoned */
  public RescueLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, Duration stuckAfter, int batch) {
    this.claimant = claimant;
    this.stuckAfter = stuckAfter;
    this.batch = batch;
    this.queue = new ClaimQueue<>("rescue", ClaimTable.RENTALS, jdbi, claimant, renewer,
        ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(RescueDao.class).lockDue(now, now.minus(RescueLoop.this.stuckAfter), limit),
        (h, ids) -> h.attach(RescueDao.class).load(ids), StuckLease::id));
  }

  /** One round; returns how many leases it claimed. */
  public int tick() {
    return queue.claim(batch, this::rescue);
  }

  private int rescue(List<Claim<StuckLease>> claims) {
    if (claims.isEmpty()) {
      return 0;
    }
    List<Lease> rescued = queue.complete(claims, (h, held) -> {
      LeaseStore store = LeaseStore.on(h);
      Instant now = claimant.now();
      // Only leases still provisioning: the rent may have activated or abandoned them meanwhile.
      List<Lease> stuck = store.lock(held.stream().map(Claim::id).toList()).stream()
          .filter(l -> l.status() == LeaseStatus.PROVISIONING).toList();
      store.end(stuck, EndReason.FAILED, now, claimant.actor(),
          l -> "rescued: still provisioning " + Duration.between(l.createdAt(), now).toSeconds()
              + " s after the rent began (its API stopped); node left for scrub");
      return stuck;
    });
    for (Lease l : rescued) {
      log.info("rental {} provisioning->ended (failed): stranded since {}; node {} freed dirty for scrub",
          l.id(), l.createdAt(), l.nodeId());
    }
    return claims.size();
  }
}

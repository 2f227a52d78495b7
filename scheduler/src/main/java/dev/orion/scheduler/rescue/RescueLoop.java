package dev.orion.scheduler.rescue;

import dev.orion.common.lease.NodeCleanliness;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
    List<StuckLease> rescued = queue.complete(claims, (h, held) -> {
      RescueDao dao = h.attach(RescueDao.class);
      Instant now = claimant.now();
      List<StuckLease> ended = new ArrayList<>();
      List<Long> nodes = new ArrayList<>();
      List<Event> events = new ArrayList<>();
      for (Claim<StuckLease> c : held) {
        StuckLease l = c.item();
        if (dao.endFailed(l.id(), now) == 1) {
          ended.add(l);
          nodes.add(l.nodeId());
          if (l.targetNodeId() != null) {
            nodes.add(l.targetNodeId());
          }
          events.add(Event.lease(l.id(), now, claimant.actor(), "provisioning", "ended", l.nodeId(), null,
              "rescued: still provisioning " + Duration.between(l.createdAt(), now).toSeconds()
                  + " s after the rent began (its API stopped); node left for scrub"));
        }
      }
      if (!ended.isEmpty()) {
        h.attach(NodeCleanliness.class).freeDirty(nodes);
        EventLog.append(h, events);
      }
      return ended;
    });
    for (StuckLease l : rescued) {
      log.info("rental {} provisioning->ended (failed): stranded since {}; node {} freed dirty for scrub",
          l.id(), l.createdAt(), l.nodeId());
    }
    return claims.size();
  }
}

package dev.orion.scheduler.job;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.job.JobStatus;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.Claimant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running job due again: the scheduler that watched its attempt stopped renewing its claim. Its
 * open attempt is taken over as the row records it (an "adopted" event, fenced by the claim), to be
 * started again when its start was not recorded (the run directory latch keeps the steps from
 * running twice) or watched to its end.
 */
final class JobAdoption {
  private static final Logger log = LoggerFactory.getLogger(JobAdoption.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final ClaimQueue<DueJob> queue;

  JobAdoption(Jdbi jdbi, Claimant claimant, ClaimQueue<DueJob> queue) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.queue = queue;
  }

  /** The attempt taken over; empty when there is none to take (the claim is let go) or the claim was lost. */
  Optional<AttemptRun> adopt(Claim<DueJob> c) {
    Optional<AttemptRow> a = jdbi.withExtension(JobDao.class, d -> d.latestAttempt(c.id()));
    if (a.isEmpty() || a.get().endedAt() != null) {
      log.error("job {} is running without an open attempt; left alone", c.id());
      queue.release(List.of(c));
      return Optional.empty();
    }
    AttemptRun run = new AttemptRun(c.item(), a.get(), false);
    Boolean held = queue.within(List.of(c), (h, still) -> {
      if (still.isEmpty()) {
        return false;
      }
      EventLog.append(h, Event.attempt(c.id(), c.item().scheduledId(), c.item().pool(), claimant.now(),
          claimant.actor(), JobStatus.RUNNING, a.get().nodeId(), a.get().leaseId(), "attempt " + a.get().attempt()
              + " adopted: the scheduler watching it stopped renewing its claim"));
      return true;
    });
    if (!held) {
      return Optional.empty();
    }
    log.info("{} adopted ({})", run.describe(), a.get().pgid() == null ? "start not recorded" : "process group "
        + a.get().pgid());
    return Optional.of(run);
  }
}

package dev.orion.scheduler.job;

import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes finished jobs {@code ttl_seconds_after_finished} after they finished (Kubernetes' TTL
 * controller): claimed work on the claim queue over {@code jobs}, due at {@code expires_at} (V67).
 * The delete re-checks the row under the claim's fence, and takes the job's attempts with it
 * (ON DELETE CASCADE); its events stay in the event log.
 */
public final class JobTtl {
  private static final Logger log = LoggerFactory.getLogger(JobTtl.class);

  private final Claimant claimant;
  private final int batch;
  private final ClaimQueue<JobTtlDao.Expired> queue;

  public JobTtl(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, int batch) {
    this.claimant = claimant;
    this.batch = batch;
    this.queue = new ClaimQueue<>("job-ttl", ClaimTable.JOBS, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(JobTtlDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(JobTtlDao.class).load(ids), JobTtlDao.Expired::id));
  }

  /** One round; returns how many jobs it claimed. */
  public int tick() {
    return queue.claim(batch, claims -> {
      if (claims.isEmpty()) {
        return 0;
      }
      Instant now = claimant.now();
      List<Claim<JobTtlDao.Expired>> deleted = queue.complete(claims, (h, held) -> {
        if (!held.isEmpty()) {
          h.attach(JobTtlDao.class).delete(held.stream().map(Claim::id).toList(), now);
        }
        return held;
      });
      for (Claim<JobTtlDao.Expired> c : deleted) {
        JobTtlDao.Expired j = c.item();
        log.info("job {} ({}) {}->deleted: ttl_seconds_after_finished {} ran out, finished at {}", j.id(), j.name(),
            j.status(), j.ttlSecondsAfterFinished(), j.finishedAt());
      }
      return claims.size();
    });
  }
}

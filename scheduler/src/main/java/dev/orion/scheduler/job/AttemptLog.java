package dev.orion.scheduler.job;

import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import java.util.List;

/**
 * The copy of an attempt's output into {@code job_attempts.log}, chunk by chunk from where the copy
 * stands, each append fenced by the claim: at most {@link #LOG_CAP} bytes kept, {@code log_bytes}
 * counts all the attempt wrote.
 */
final class AttemptLog {
  /** What an attempt's log keeps in the database. */
  static final int LOG_CAP = 1 << 20;
  /** Output copied per look at most, so one look stays short. */
  private static final int CHUNK = 256 * 1024;

  private final ClaimQueue<DueJob> queue;
  private final WorkerOps ops;

  AttemptLog(ClaimQueue<DueJob> queue, WorkerOps ops) {
    this.queue = queue;
    this.ops = ops;
  }

  /** How much output one look asks for, with {@code kept} bytes already copied. */
  static int room(long kept) {
    return (int) Math.max(0, Math.min(CHUNK, LOG_CAP - kept));
  }

  /** Whether the worker's answer left output to copy at once (more than one chunk was waiting). */
  static boolean more(JobPoll p, long kept) {
    return kept < Math.min(p.size(), LOG_CAP);
  }

  /** Appends the chunk where the copy stands; returns where it stands afterwards. */
  static long append(JobDao dao, AttemptRow a, long kept, JobPoll p) {
    if (p.chunk().length == 0) {
      dao.logBytes(a.jobId(), a.attempt(), p.size());
      return kept;
    }
    if (dao.appendLog(a.jobId(), a.attempt(), kept, p.chunk(), p.size()) == 1) {
      return kept + p.chunk().length;
    }
    return dao.logKept(a.jobId(), a.attempt());
  }

  /** The output not yet copied, once the attempt ended (its size no longer grows). */
  long copyRest(Claim<DueJob> c, AttemptRun run, long kept) throws WorkerException {
    AttemptRow a = run.attempt();
    while (true) {
      JobPoll p = ops.pollJob(run.endpoint(), a.runDir(), a.pgid(), kept, room(kept));
      long from = kept;
      Long k = queue.within(List.of(c), (h, held) -> held.isEmpty() ? null
          : append(h.attach(JobDao.class), a, from, p));
      if (k == null || k == from || !more(p, k)) {
        return k == null ? kept : k;
      }
      kept = k;
    }
  }
}

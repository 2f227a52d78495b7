package dev.orion.scheduler.job;

import dev.orion.common.ssh.WorkerEndpoint;

/**
 * An attempt this instance starts or watches, as the phases of {@link JobLoop} hand it on.
 *
 * @param fresh placed by this instance's round (not adopted from a scheduler that stopped)
 */
record AttemptRun(DueJob job, AttemptRow attempt, boolean fresh) {
  WorkerEndpoint endpoint() {
    return attempt.endpoint();
  }

  AttemptRun withPgid(int pgid) {
    AttemptRow a = attempt;
    return new AttemptRun(job, new AttemptRow(a.jobId(), a.attempt(), a.nodeId(), a.leaseId(), a.unixUser(),
        a.runDir(), pgid, a.startedAt(), a.endedAt(), a.logKept(), a.logBytes(), a.ip(), a.sshPort(), a.hostKey()),
        fresh);
  }

  String describe() {
    return "job " + job.id() + " attempt " + attempt.attempt() + " on node " + attempt.nodeId();
  }
}

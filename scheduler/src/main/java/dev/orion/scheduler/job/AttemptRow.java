package dev.orion.scheduler.job;

import dev.orion.common.ssh.WorkerEndpoint;
import java.time.Instant;

/**
 * A job's attempt with the node it runs on.
 *
 * @param logKept bytes of output already copied into {@code job_attempts.log}
 */
public record AttemptRow(
    long jobId,
    int attempt,
    long nodeId,
    Long leaseId,
    String unixUser,
    String runDir,
    Integer pgid,
    Instant startedAt,
    Instant endedAt,
    long logKept,
    long logBytes,
    String ip,
    int sshPort,
    String hostKey) {

  public WorkerEndpoint endpoint() {
    return new WorkerEndpoint(nodeId, ip, sshPort, hostKey);
  }

  /** Runs as a throwaway user on an internal lease (not as the client user of the caller's lease). */
  public boolean throwaway() {
    return leaseId != null;
  }
}

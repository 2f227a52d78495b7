package dev.orion.scheduler.scrub;

import dev.orion.common.ssh.WorkerEndpoint;

/**
 * An unclean node as claimed for scrubbing, with the dirty epoch it had then: it is marked clean
 * only if nothing freed or dirtied it again meanwhile.
 */
public record DirtyNode(long id, String ip, int sshPort, String hostKey, long dirtyEpoch) {
  public WorkerEndpoint worker() {
    return new WorkerEndpoint(id, ip, sshPort, hostKey);
  }
}

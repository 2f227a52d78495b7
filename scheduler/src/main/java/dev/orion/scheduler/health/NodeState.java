package dev.orion.scheduler.health;

import dev.orion.common.ssh.WorkerEndpoint;
import java.time.Instant;

/**
 * A node as the health checker claimed it: where to probe and what it remembers.
 *
 * @param statusChangedAt for a suspect node, when its current run of failed probes began
 */
public record NodeState(
    long id,
    String ip,
    int sshPort,
    String hostKey,
    String status,
    int probeFailures,
    Instant lastHeartbeatAt,
    Instant statusChangedAt) {

  public WorkerEndpoint endpoint() {
    return new WorkerEndpoint(id, ip, sshPort, hostKey);
  }
}

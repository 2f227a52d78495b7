package dev.orion.scheduler.expiry;

import java.time.Instant;

/** A live lease past its end, as claimed, with the node it sits on. */
public record DueLease(
    long id,
    long nodeId,
    String status,
    String clientUser,
    Instant leasedUntil,
    String nodeStatus,
    String ip,
    int sshPort,
    String hostKey) {

  public dev.orion.common.ssh.WorkerEndpoint endpoint() {
    return new dev.orion.common.ssh.WorkerEndpoint(nodeId, ip, sshPort, hostKey);
  }
}

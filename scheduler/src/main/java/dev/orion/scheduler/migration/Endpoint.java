package dev.orion.scheduler.migration;

import dev.orion.common.ssh.WorkerEndpoint;

/** A node's SSH address row. */
public record Endpoint(long id, String ip, int sshPort, String hostKey) {
  public WorkerEndpoint worker() {
    return new WorkerEndpoint(id, ip, sshPort, hostKey);
  }

  public String describe() {
    return "node " + id + " (" + ip + ":" + sshPort + ")";
  }
}

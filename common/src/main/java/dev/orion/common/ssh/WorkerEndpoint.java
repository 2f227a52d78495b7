package dev.orion.common.ssh;

import java.util.Objects;

/**
 * Where a worker's sshd listens and the host key pinned for it at registration. Every connection
 * to the worker must present exactly this key.
 *
 * @param hostKey the pinned OpenSSH public key line, {@code "ssh-ed25519 AAAA... [comment]"}
 */
public record WorkerEndpoint(long nodeId, String host, int port, String hostKey) {
  public WorkerEndpoint {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(hostKey, "hostKey");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
  }

  /** How logs and errors name the worker. */
  public String describe() {
    return "node " + nodeId + " (" + host + ":" + port + ")";
  }
}

package dev.orion.api.node;

import dev.orion.api.auth.Principal;
import java.time.Instant;
import java.util.Map;

/** What the node endpoints answer. Lease details are shown only to their owner and admins. */
public final class NodeViews {
  private NodeViews() {}

  public record Lease(long rentalId, String username, String clientUser, String status, Instant leasedUntil) {}

  public record Node(long nodeId, String hostname, String ip, int sshPort, String status, boolean allocated,
      boolean clean, String pool, Map<String, String> labels, String hostKeyFingerprint, Instant lastSeenAt,
      Lease lease) {}

  public record Registered(String message, long nodeId) {}

  static Node of(NodeDao.NodeListRow r, Principal caller) {
    Lease lease = null;
    if (r.rentalId() != null && (caller.isAdmin() || r.rentalUserId() == caller.userId())) {
      lease = new Lease(r.rentalId(), r.rentalUsername(), r.clientUser(), r.rentalStatus(), r.leasedUntil());
    }
    return new Node(r.id(), r.hostname(), r.ip(), r.sshPort(), r.status(), r.allocated(), r.clean(), r.pool(),
        NodeService.labels(r.labels()), r.hostKeyFingerprint(), r.lastSeenAt(), lease);
  }
}

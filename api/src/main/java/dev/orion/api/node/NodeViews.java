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

  /**
   * One node as every caller may see it, and as its lease's owner (and admins) see it: built once
   * per node-list snapshot, so a request only picks one of the two.
   */
  record Entry(Node shared, Node withLease, Long ownerId) {
    Node forCaller(Principal caller) {
      return ownerId != null && (caller.isAdmin() || ownerId == caller.userId()) ? withLease : shared;
    }
  }

  static Entry entry(NodeDao.NodeListRow r) {
    Node shared = new Node(r.id(), r.hostname(), r.ip(), r.sshPort(), r.status(), r.allocated(), r.clean(),
        r.pool(), NodeService.labels(r.labels()), r.hostKeyFingerprint(), r.lastSeenAt(), null);
    if (r.rentalId() == null) {
      return new Entry(shared, shared, null);
    }
    Lease lease = new Lease(r.rentalId(), r.rentalUsername(), r.clientUser(), r.rentalStatus(), r.leasedUntil());
    Node withLease = new Node(shared.nodeId(), shared.hostname(), shared.ip(), shared.sshPort(), shared.status(),
        shared.allocated(), shared.clean(), shared.pool(), shared.labels(), shared.hostKeyFingerprint(),
        shared.lastSeenAt(), lease);
    return new Entry(shared, withLease, r.rentalUserId());
  }
}

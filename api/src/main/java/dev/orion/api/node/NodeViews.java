package dev.orion.api.node;

import dev.orion.api.http.Json;
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
   * One node as JSON, rendered once per node-list snapshot: as every caller may see it, and as its
   * lease's owner (and admins) see it. A request then only copies bytes instead of serialising
   * objects, which is what listing a fleet on every poll mostly cost.
   */
  record Entry(byte[] shared, byte[] withLease, Long ownerId) {
    boolean ownedBy(long userId) {
      return ownerId != null && ownerId == userId;
    }
  }

  static Entry entry(NodeDao.NodeListRow r) {
    Node shared = new Node(r.id(), r.hostname(), r.ip(), r.sshPort(), r.status(), r.allocated(), r.clean(),
        r.pool(), NodeService.labels(r.labels()), r.hostKeyFingerprint(), r.lastSeenAt(), null);
    byte[] sharedJson = Json.bytes(shared);
    if (r.rentalId() == null) {
      return new Entry(sharedJson, sharedJson, null);
    }
    Lease lease = new Lease(r.rentalId(), r.rentalUsername(), r.clientUser(), r.rentalStatus(), r.leasedUntil());
    Node withLease = new Node(shared.nodeId(), shared.hostname(), shared.ip(), shared.sshPort(), shared.status(),
        shared.allocated(), shared.clean(), shared.pool(), shared.labels(), shared.hostKeyFingerprint(),
        shared.lastSeenAt(), lease);
    return new Entry(sharedJson, Json.bytes(withLease), r.rentalUserId());
  }
}

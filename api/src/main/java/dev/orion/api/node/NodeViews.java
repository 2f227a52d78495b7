package dev.orion.api.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orion.api.http.Json;
import java.time.Instant;
import java.util.Map;

/**
 * What the node endpoints answer. Lease details are shown only to their owner and admins; a node's
 * address, host key, cleanliness and last contact only to admins. Anyone can sign up, and a user
 * needs a worker's address only for the workers it leases, which rent and GET /api/rentals give.
 */
public final class NodeViews {
  private NodeViews() {}

  public record Lease(long rentalId, String username, String clientUser, String status, Instant leasedUntil) {}

  /** A node; the fields marked {@code @JsonInclude(NON_NULL)} are null (absent) except for admins. */
  public record Node(long nodeId, String hostname, @JsonInclude(JsonInclude.Include.NON_NULL) String ip, int sshPort,
      String status, boolean allocated, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean clean, String pool,
      Map<String, String> labels, @JsonInclude(JsonInclude.Include.NON_NULL) String hostKeyFingerprint,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant lastSeenAt, Lease lease) {}

  /** {@code node_token} is present once: in the answer that issued it. */
  public record Registered(String message, long nodeId,
      @JsonInclude(JsonInclude.Include.NON_NULL) String nodeToken) {}

  /**
   * One node as JSON, rendered once per node-list snapshot: as every user sees it, as its lease's
   * owner sees it, and as admins see it. A request then only copies bytes instead of serialising
   * objects, which is what listing a fleet on every poll mostly cost.
   */
  record Entry(byte[] everyone, byte[] owner, byte[] admin, Long ownerId) {
    boolean ownedBy(long userId) {
      return ownerId != null && ownerId == userId;
    }
  }

  static Entry entry(NodeDao.NodeListRow r) {
    Lease lease = r.rentalId() == null ? null
        : new Lease(r.rentalId(), r.rentalUsername(), r.clientUser(), r.rentalStatus(), r.leasedUntil());
    Map<String, String> labels = NodeService.labels(r.labels());
    byte[] everyone = Json.bytes(node(r, labels, false, null));
    byte[] owner = lease == null ? everyone : Json.bytes(node(r, labels, false, lease));
    return new Entry(everyone, owner, Json.bytes(node(r, labels, true, lease)), r.rentalUserId());
  }

  private static Node node(NodeDao.NodeListRow r, Map<String, String> labels, boolean admin, Lease lease) {
    return new Node(r.id(), r.hostname(), admin ? r.ip() : null, r.sshPort(), r.status(), r.allocated(),
        admin ? r.clean() : null, r.pool(), labels, admin ? r.hostKeyFingerprint() : null,
        admin ? r.lastSeenAt() : null, lease);
  }
}

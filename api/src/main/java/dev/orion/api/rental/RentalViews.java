package dev.orion.api.rental;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.time.Instant;
import java.util.List;

/** What the rental endpoints answer. */
public final class RentalViews {
  private RentalViews() {}

  /** The answer to a rent: everything needed to log in, once (the password is not kept). */
  public record Credentials(long rentalId, String hostIp, int sshPort, String clientUser, String clientPass,
      Instant leasedUntil, long nodeId, String hostname, String hostKeyFingerprint) {}

  public record Rental(long rentalId, String username, String status, String endReason, long nodeId,
      String hostname, String hostIp, int sshPort, String hostKeyFingerprint, String clientUser,
      Instant createdAt, Instant leasedUntil, Instant endedAt) {
    static Rental of(RentalDao.RentalRow r) {
      return new Rental(r.id(), r.username(), r.status(), r.endReason(), r.nodeId(), r.hostname(), r.ip(),
          r.sshPort(), r.hostKeyFingerprint(), r.clientUser(), r.createdAt(), r.leasedUntil(), r.endedAt());
    }
  }

  /**
   * A lease's event: {@code kind} {@code lease} for its own transitions (statuses), {@code load}
   * for its node's load meanwhile (classes: {@code low}, {@code moderate},
   * {@code high}; {@code to_node_id} names the node).
   */
  public record Event(String kind, Instant at, String actor, String fromStatus, String toStatus, Long fromNodeId,
      Long toNodeId, String reason) {
    static Event of(RentalDao.EventRow e) {
      return new Event(e.kind(), e.at(), e.actor(), e.fromStatus(), e.toStatus(), e.fromNodeId(), e.toNodeId(), e.reason());
    }
  }

  /** A rental with its history; the rental's fields appear at the top level. */
  public record Detail(@JsonUnwrapped Rental rental, List<Event> events) {}

  public record Extended(long leaseId, Instant newEndAt) {}
}

package dev.orion.api.event;

import dev.orion.api.http.Json;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Who sees which event, decided once per event for every subscriber of a replica.
 *
 * <p>Lease, job and schedule events belong to their owner (and admins). Node and pool events are
 * public. Load events are public without the lease they name, except a leased node's long stretch
 * in one class ({@code from == to}), which only its lessee is told. Nothing on the stream carries
 * the actor, a user or a client user; the full view of an event adds only the ids of the
 * owner's own lease.
 */
final class Visibility {
  private Visibility() {}

  /** An event as its owner and admins see it ({@code full}), and as anyone else does ({@code pub}, null: not at all). */
  record Views(long id, String kind, Long owner, byte[] full, byte[] pub) {
    /** The frame {@code userId} gets, or null. */
    byte[] forViewer(long userId, boolean admin) {
      return admin || (owner != null && owner == userId) ? full : pub;
    }
  }

  static Views of(StreamDao.Row r) {
    String kind = r.kind();
    Long owner = switch (kind) {
      case "lease", "load" -> r.leaseUser();
      case "job" -> r.jobUser();
      case "schedule" -> r.scheduleUser();
      default -> null;
    };
    StreamEvent full = full(r);
    StreamEvent pub = switch (kind) {
      case "node", "pool" -> full;
      case "load" -> r.leaseId() != null && Objects.equals(r.fromStatus(), r.toStatus()) ? null
          : new StreamEvent(r.at(), kind, null, r.nodeId(), null, null, r.pool(), r.fromStatus(), r.toStatus(), r.reason());
      default -> null; // lease, job, schedule and any kind added later: owner and admins only
    };
    byte[] fullFrame = frame(full, r.id());
    return new Views(r.id(), kind, owner, fullFrame, pub == null ? null : pub == full ? fullFrame : frame(pub, r.id()));
  }

  /** The whole SSE frame of an event: {@code id}, {@code event} and one {@code data} line. */
  static byte[] frame(StreamEvent e, long id) {
    // JSON never holds a raw line break, so the data is one line.
    return ("id: " + id + "\nevent: " + e.kind() + "\ndata: " + new String(Json.bytes(e), StandardCharsets.UTF_8)
        + "\n\n").getBytes(StandardCharsets.UTF_8);
  }

  static StreamEvent full(StreamDao.Row r) {
    Long node = r.nodeId() != null ? r.nodeId() : r.toNodeId() != null ? r.toNodeId() : r.fromNodeId();
    return new StreamEvent(r.at(), r.kind(), r.leaseId(), node, r.jobId(), r.scheduledId(), r.pool(), r.fromStatus(),
        r.toStatus(), r.reason());
  }
}

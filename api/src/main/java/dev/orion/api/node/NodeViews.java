package dev.orion.api.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
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

  /**
   * The lease holding a node: a client's ({@code kind} "client", its {@code rental_id}) or a job
   * attempt's ({@code kind} "job", its {@code job_id}; the username is the job's owner).
   */
  public record Lease(String kind, @JsonInclude(JsonInclude.Include.NON_NULL) Long rentalId,
      @JsonInclude(JsonInclude.Include.NON_NULL) Long jobId, String username, String clientUser, String status,
      Instant leasedUntil) {
    static Lease of(NodeDao.NodeListRow r) {
      if ("job".equals(r.leaseKind())) {
        return new Lease("job", null, r.leaseJobId(), r.rentalUsername(), r.clientUser(), r.rentalStatus(),
            r.leasedUntil());
      }
      return new Lease("client", r.rentalId(), null, r.rentalUsername(), r.clientUser(), r.rentalStatus(),
          r.leasedUntil());
    }
  }

  /**
   * A worker's load, public like its status: smoothed CPU and memory use of what the worker may
   * use, its class and since when, and where the class comes from ({@code cgroup-v2},
   * {@code cgroup-v1}, {@code proc}: the heartbeats; {@code alertmanager}: an alert firing now).
   */
  public record Load(Double cpuPercent, Double memPercent, @JsonProperty("class") String loadClass, Instant since,
      String source) {}

  /** A node; the fields marked {@code @JsonInclude(NON_NULL)} are null (absent) except for admins. */
  public record Node(long nodeId, String hostname, @JsonInclude(JsonInclude.Include.NON_NULL) String ip, int sshPort,
      String status, boolean allocated, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean clean, String pool,
      Map<String, String> labels, Load load, @JsonInclude(JsonInclude.Include.NON_NULL) String hostKeyFingerprint,
      @JsonInclude(JsonInclude.Include.NON_NULL) Instant lastSeenAt, Lease lease) {}

  /** The label every node carries once its load is known. */
  public static final String CPU_CLASS_LABEL = "orion.io/cpu-class";

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
    Lease lease = r.rentalId() == null ? null : Lease.of(r);
    Load load = load(r);
    Map<String, String> labels = NodeService.labels(r.labels());
    if (load != null) {
      labels = new java.util.TreeMap<>(labels);
      labels.put(CPU_CLASS_LABEL, load.loadClass());
    }
    byte[] everyone = Json.bytes(node(r, labels, load, false, null));
    byte[] owner = lease == null ? everyone : Json.bytes(node(r, labels, load, false, lease));
    return new Entry(everyone, owner, Json.bytes(node(r, labels, load, true, lease)), r.rentalUserId());
  }

  /** The heartbeats' figures, with the class of an alert firing now winning over theirs. */
  private static Load load(NodeDao.NodeListRow r) {
    if (r.alertClass() != null) {
      return new Load(r.loadCpuPercent(), r.loadMemPercent(), r.alertClass(), r.alertSince(), "alertmanager");
    }
    if (r.loadClass() == null) {
      return null;
    }
    return new Load(r.loadCpuPercent(), r.loadMemPercent(), r.loadClass(), r.loadClassSince(), r.loadSource());
  }

  private static Node node(NodeDao.NodeListRow r, Map<String, String> labels, Load load, boolean admin, Lease lease) {
    return new Node(r.id(), r.hostname(), admin ? r.ip() : null, r.sshPort(), r.status(), r.allocated(),
        admin ? r.clean() : null, r.pool(), labels, load, admin ? r.hostKeyFingerprint() : null,
        admin ? r.lastSeenAt() : null, lease);
  }
}

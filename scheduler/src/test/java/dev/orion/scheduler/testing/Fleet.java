package dev.orion.scheduler.testing;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Writes nodes and leases straight into the schema, as the API would have left them. */
public final class Fleet {
  private final Jdbi jdbi;
  private final Instant now;
  private long userId;

  public Fleet(Jdbi jdbi, Instant now) {
    this.jdbi = jdbi;
    this.now = now;
    this.userId = jdbi.withHandle(h -> h.createUpdate(
            "INSERT INTO users (username, password_hash, created_at) VALUES (:u, 'x', :now)")
        .bind("u", "client" + System.nanoTime() % 100000).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  public long userId() {
    return userId;
  }

  /** {@code count} nodes with {@code status}, allocated, each with one live lease ending at {@code until}. */
  public List<Long> leasedNodes(int count, String nodeStatus, Instant until) {
    return jdbi.inTransaction(h -> {
      List<Long> nodes = nodes(h, count, nodeStatus, true);
      PreparedBatch b = h.prepareBatch("INSERT INTO rentals (user_id, node_id, client_user,"
          + " password_crypt, status, created_at, leased_until)"
          + " VALUES (:user, :node, :cu, '$6$salt$hash', 'active', :now, :until)");
      for (long node : nodes) {
        b.bind("user", userId).bind("node", node).bind("cu", "c" + node)
            .bind("now", now).bind("until", until).add();
      }
      b.execute();
      return h.createQuery("SELECT id FROM rentals WHERE node_id IN (<n>) ORDER BY id")
          .bindList("n", nodes).mapTo(Long.class).list();
    });
  }

  /** A lease migrating off a dead node, and a free alive node it can move to. */
  public record Move(long rental, long free) {}

  public Move migratingWithOneFreeNode(Instant until) {
    long rental = leasedNodes(1, "dead", until).get(0);
    long free = jdbi.inTransaction(h -> {
      h.execute("UPDATE rentals SET status = 'migrating' WHERE id = ?", rental);
      return nodes(h, 1, "alive", false).get(0);
    });
    return new Move(rental, free);
  }

  /** Inserts placeholder nodes (no reachable endpoint); returns their ids in order. */
  public static List<Long> nodes(Handle h, int count, String status, boolean allocated) {
    String tag = Long.toString(System.nanoTime(), 36);
    PreparedBatch b = h.prepareBatch("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
        + " host_key_fingerprint, status, allocated, clean, registered_at, last_seen_at)"
        + " VALUES (:h, '127.0.0.1', :port, 'ssh-ed25519 AAAA', 'SHA256:x', :status, :alloc, 1, :now, :now)");
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    for (int i = 0; i < count; i++) {
      b.bind("h", "n-" + tag + "-" + i).bind("port", 22)
          .bind("status", status).bind("alloc", allocated).bind("now", now).add();
    }
    b.execute();
    return h.createQuery("SELECT id FROM nodes WHERE hostname LIKE :p ORDER BY id")
        .bind("p", "n-" + tag + "-%").mapTo(Long.class).list();
  }

  /** Moves every live lease's end to {@code until} in one statement (makes a whole queue due at once). */
  public void dueAll(Instant until) {
    jdbi.useHandle(h -> h.createUpdate("UPDATE rentals SET leased_until = :u WHERE status <> 'ended'")
        .bind("u", until).execute());
  }
}

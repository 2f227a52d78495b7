package dev.orion.api.node;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Registered workers. */
@RegisterConstructorMapper(NodeDao.NodeRow.class)
@RegisterConstructorMapper(NodeDao.NodeListRow.class)
public interface NodeDao {
  record NodeRow(long id, String hostname, String ip, int sshPort, String hostKey, String hostKeyFingerprint,
      String pool, String labels, String status, boolean allocated, boolean clean, String tokenHash) {}

  /** A node with its live lease, if any. */
  record NodeListRow(long id, String hostname, String ip, int sshPort, String hostKeyFingerprint, String pool,
      String labels, String status, boolean allocated, boolean clean, Instant lastSeenAt,
      Long rentalId, Long rentalUserId, String rentalUsername, String clientUser, String rentalStatus,
      Instant leasedUntil) {}

  record Registration(String hostname, String ip, int sshPort, String hostKey, String hostKeyFingerprint,
      String pool, String labels, Instant now) {}

  String COLUMNS = "id, hostname, ip, ssh_port, host_key, host_key_fingerprint, pool, labels, status, allocated, clean,"
      + " token_hash";

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE hostname = :hostname")
  Optional<NodeRow> findByHostname(@Bind("hostname") String hostname);

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE token_hash = :hash")
  Optional<NodeRow> findByTokenHash(@Bind("hash") String tokenHash);

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE hostname = :hostname FOR UPDATE")
  Optional<NodeRow> lockByHostname(@Bind("hostname") String hostname);

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE id = :id FOR UPDATE")
  Optional<NodeRow> lock(@Bind("id") long id);

  @SqlUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint, pool, labels,"
      + " registered_at, last_seen_at, token_hash)"
      + " VALUES (:hostname, :ip, :sshPort, :hostKey, :hostKeyFingerprint, :pool, :labels, :now, :now, :tokenHash)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods Registration r, @Bind("tokenHash") String tokenHash);

  @SqlUpdate("UPDATE nodes SET ip = :ip, ssh_port = :sshPort, pool = :pool, labels = :labels, last_seen_at = :now"
      + " WHERE id = :id")
  void refresh(@Bind("id") long id, @BindMethods Registration r);

  @SqlUpdate("UPDATE nodes SET token_hash = :hash WHERE id = :id")
  void setTokenHash(@Bind("id") long id, @Bind("hash") String tokenHash);

  /** Written by the API, read by the schedulers' health checks (columns from V2). */
  @SqlUpdate("UPDATE nodes SET last_heartbeat_at = :now, last_seen_at = :now, cpu_percent = :cpu,"
      + " mem_percent = :mem WHERE token_hash = :hash AND hostname = :hostname")
  int heartbeat(@Bind("hash") String tokenHash, @Bind("hostname") String hostname, @Bind("cpu") Double cpuPercent,
      @Bind("mem") Double memPercent, @Bind("now") Instant now);

  @SqlUpdate("DELETE FROM nodes WHERE id = :id")
  void delete(@Bind("id") long id);

  @SqlQuery("SELECT COUNT(*) FROM rentals WHERE live_node_id = :id")
  int liveLeases(@Bind("id") long id);

  @SqlQuery("SELECT n.id, n.hostname, n.ip, n.ssh_port, n.host_key_fingerprint, n.pool, n.labels, n.status,"
      + " n.allocated, n.clean, n.last_seen_at, r.id AS rental_id, r.user_id AS rental_user_id,"
      + " u.username AS rental_username, r.client_user, r.status AS rental_status, r.leased_until"
      + " FROM nodes n LEFT JOIN rentals r ON r.live_node_id = n.id LEFT JOIN users u ON u.id = r.user_id"
      + " ORDER BY n.id")
  List<NodeListRow> listWithLeases();
}

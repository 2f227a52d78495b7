package dev.orion.api.node;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
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
      Instant leasedUntil, Double loadCpuPercent, Double loadMemPercent, String loadClass, Instant loadClassSince,
      String loadSource, String alertClass, Instant alertSince) {}

  record Registration(String hostname, String ip, int sshPort, String hostKey, String hostKeyFingerprint,
      String pool, String labels, Instant now) {}

  String COLUMNS = "id, hostname, ip, ssh_port, host_key, host_key_fingerprint, pool, labels, status, allocated, clean,"
      + " token_hash";

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE hostname = :hostname")
  Optional<NodeRow> findByHostname(@Bind("hostname") String hostname);

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE token_hash = :hash")
  Optional<NodeRow> findByTokenHash(@Bind("hash") String tokenHash);

  @SqlQuery("SELECT id FROM nodes WHERE token_hash = :hash")
  Optional<Long> idByTokenHash(@Bind("hash") String tokenHash);

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

  /** Written by the API, read by the schedulers' health checks (columns from V2). */
  @SqlUpdate("UPDATE nodes SET last_heartbeat_at = :now, last_seen_at = :now, cpu_percent = :cpu,"
      + " mem_percent = :mem WHERE token_hash = :hash AND hostname = :hostname")
  int heartbeat(@Bind("hash") String tokenHash, @Bind("hostname") String hostname, @Bind("cpu") Double cpuPercent,
      @Bind("mem") Double memPercent, @Bind("now") Instant now);

  @SqlUpdate("DELETE FROM nodes WHERE id = :id")
  void delete(@Bind("id") long id);

  @SqlQuery("SELECT COUNT(*) FROM rentals WHERE live_node_id = :id")
  int liveLeases(@Bind("id") long id);

  /** See {@code NodeDao/listWithLeases.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<NodeListRow> listWithLeases();
}

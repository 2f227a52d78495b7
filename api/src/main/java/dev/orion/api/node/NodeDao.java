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

  /**
   * A node with its live lease, if any: a client's, or a job's internal one ({@code leaseKind}
   * 'job', its job in {@code leaseJobId}, owned by the job's owner).
   */
  record NodeListRow(long id, String hostname, String ip, int sshPort, String hostKeyFingerprint, String pool,
      String labels, String status, boolean allocated, boolean clean, Instant lastSeenAt,
      Long rentalId, Long rentalUserId, String rentalUsername, String clientUser, String rentalStatus,
      Instant leasedUntil, Double loadCpuPercent, Double loadMemPercent, String loadClass, Instant loadClassSince,
      String loadSource, String alertClass, Instant alertSince, String leaseKind, Long leaseJobId) {}

  record Registration(String hostname, String ip, int sshPort, String hostKey, String hostKeyFingerprint,
      String pool, String labels, Instant now) {}

  String COLUMNS = "id, hostname, ip, ssh_port, host_key, host_key_fingerprint, pool, labels, status, allocated, clean,"
      + " token_hash";

  /** The node of that hostname that is not forgotten (V5: at most one). */
  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE live_hostname = :hostname")
  Optional<NodeRow> findByHostname(@Bind("hostname") String hostname);

  /** The newest forgotten node of that hostname, the one a new enrolment replaces. */
  @SqlQuery("SELECT MAX(id) FROM nodes WHERE hostname = :hostname AND status = 'forgotten'")
  Optional<Long> lastForgotten(@Bind("hostname") String hostname);

  /** Any node, forgotten ones included: a forgotten node's token is answered 410, not 401. */
  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE token_hash = :hash")
  Optional<NodeRow> findByTokenHash(@Bind("hash") String tokenHash);

  @SqlQuery("SELECT id FROM nodes WHERE token_hash = :hash")
  Optional<Long> idByTokenHash(@Bind("hash") String tokenHash);

  @SqlQuery("SELECT " + COLUMNS + " FROM nodes WHERE id = :id FOR UPDATE")
  Optional<NodeRow> lock(@Bind("id") long id);

  /**
   * A new node starts unclean (V6): it may hold client users from an earlier life, so the
   * schedulers' scrub removes them before anyone can rent it.
   */
  @SqlUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key, host_key_fingerprint, pool, labels,"
      + " clean, registered_at, last_seen_at, token_hash)"
      + " VALUES (:hostname, :ip, :sshPort, :hostKey, :hostKeyFingerprint, :pool, :labels, FALSE, :now, :now,"
      + " :tokenHash)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods Registration r, @Bind("tokenHash") String tokenHash);

  @SqlUpdate("UPDATE nodes SET ip = :ip, ssh_port = :sshPort, pool = :pool, labels = :labels, last_seen_at = :now"
      + " WHERE id = :id")
  void refresh(@Bind("id") long id, @BindMethods Registration r);

  /** Written by the API, read by the schedulers' health checks (columns from V2); never a forgotten node. */
  @SqlUpdate("UPDATE nodes SET last_heartbeat_at = :now, last_seen_at = :now, cpu_percent = :cpu,"
      + " mem_percent = :mem WHERE token_hash = :hash AND hostname = :hostname AND status <> 'forgotten'")
  int heartbeat(@Bind("hash") String tokenHash, @Bind("hostname") String hostname, @Bind("cpu") Double cpuPercent,
      @Bind("mem") Double memPercent, @Bind("now") Instant now);

  /**
   * Forgets a node, keeping its row as its leases' history. Clearing the claim fences any
   * scheduler working on it right now (health, scrub): their completion finds the claim gone and
   * writes nothing. Its next check moves to the end of time: the health queue scans
   * {@code ix_nodes_check_due} in due order, and a forgotten row left due would be read (and
   * skipped) by every claim from now on.
   */
  @SqlUpdate("UPDATE nodes SET status = 'forgotten', status_changed_at = :now, claimed_by = NULL,"
      + " claimed_until = NULL, next_check_at = '9999-12-31 23:59:59' WHERE id = :id AND status <> 'forgotten'")
  int forget(@Bind("id") long id, @Bind("now") Instant now);

  /** Leases that hold the node: live on it, or moving onto it (a migration's reservation, V2). */
  @SqlQuery("SELECT id FROM rentals WHERE live_node_id = :id"
      + " UNION SELECT id FROM rentals WHERE target_node_id = :id AND status <> 'ended' ORDER BY id")
  List<Long> leasesHolding(@Bind("id") long id);

  /** See {@code NodeDao/listWithLeases.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<NodeListRow> listWithLeases();
}

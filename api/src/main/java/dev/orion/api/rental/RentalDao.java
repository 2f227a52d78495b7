package dev.orion.api.rental;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Leases, their nodes and their event history. */
@RegisterConstructorMapper(RentalDao.FreeNode.class)
@RegisterConstructorMapper(RentalDao.RentalRow.class)
@RegisterConstructorMapper(RentalDao.EventRow.class)
public interface RentalDao {
  record FreeNode(long id, String hostname, String ip, int sshPort, String hostKey, String hostKeyFingerprint) {}

  record RentalRow(long id, long userId, String username, long nodeId, String hostname, String ip, int sshPort,
      String hostKey, String hostKeyFingerprint, String clientUser, String passwordCrypt, String publicKey,
      String status, String endReason, Instant createdAt, Instant leasedUntil, Instant endedAt) {}

  record EventRow(long id, String kind, Instant at, String actor, String fromStatus, String toStatus, Long fromNodeId,
      Long toNodeId, String reason) {}

  record NewRental(long userId, long nodeId, String clientUser, String passwordCrypt, String publicKey,
      Instant createdAt, Instant leasedUntil) {}


  String ALLOCATABLE = "status = 'alive' AND allocated = FALSE AND clean = TRUE";

  /** Rows other rents hold are skipped, never waited on: the rent either finds enough or fails fast. */
  @SqlQuery("SELECT id, hostname, ip, ssh_port, host_key, host_key_fingerprint FROM nodes WHERE " + ALLOCATABLE
      + " ORDER BY id LIMIT :count FOR UPDATE SKIP LOCKED")
  List<FreeNode> lockFreeNodes(@Bind("count") int count);

  @SqlQuery("SELECT id FROM users WHERE id = :id FOR UPDATE")
  Optional<Long> lockUser(@Bind("id") long userId);

  @SqlQuery("SELECT COUNT(*) FROM rentals WHERE user_id = :id AND status <> 'ended'")
  int countLiveOf(@Bind("id") long userId);

  @SqlQuery("SELECT COUNT(*) FROM nodes WHERE " + ALLOCATABLE)
  int countFree();

  @SqlUpdate("UPDATE nodes SET allocated = TRUE WHERE id IN (<ids>)")
  void allocate(@BindList("ids") Collection<Long> ids);

  /**
   * A lease ended while moving may hold a second node a scheduler reserved for it
   * ({@code rentals.target_node_id}, V2): free that one dirty too, in the same transaction.
   */
  @SqlUpdate("UPDATE nodes n JOIN rentals r ON r.target_node_id = n.id"
      + " SET n.allocated = FALSE, n.clean = FALSE, r.target_node_id = NULL WHERE r.id = :id")
  void releaseReservedNodeDirty(@Bind("id") long rentalId);

  @SqlUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, public_key, status, created_at,"
      + " leased_until) VALUES (:userId, :nodeId, :clientUser, :passwordCrypt, :publicKey, 'provisioning',"
      + " :createdAt, :leasedUntil)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods NewRental r);

  String SELECT_RENTAL = "SELECT r.id, r.user_id, u.username, r.node_id, n.hostname, n.ip, n.ssh_port, n.host_key,"
      + " n.host_key_fingerprint, r.client_user, r.password_crypt, r.public_key, r.status, r.end_reason,"
      + " r.created_at, r.leased_until, r.ended_at"
      + " FROM rentals r JOIN users u ON u.id = r.user_id JOIN nodes n ON n.id = r.node_id";

  /** The rental, locked, if the caller may touch it ({@code ownerId} null means any owner). */
  @SqlQuery(SELECT_RENTAL + " WHERE r.id = :id AND (:ownerId IS NULL OR r.user_id = :ownerId) FOR UPDATE")
  Optional<RentalRow> lockVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery(SELECT_RENTAL + " WHERE r.id = :id AND (:ownerId IS NULL OR r.user_id = :ownerId)")
  Optional<RentalRow> findVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery(SELECT_RENTAL + " WHERE (:ownerId IS NULL OR r.user_id = :ownerId) <live> ORDER BY r.id")
  List<RentalRow> list(@Bind("ownerId") Long ownerId, @Define("live") String liveFilter);

  /** Live leases, except those a rent is provisioning right now (younger than {@code stuckBefore}). */
  @SqlQuery(SELECT_RENTAL + " WHERE r.status IN ('active', 'migrating')"
      + " OR (r.status = 'provisioning' AND r.created_at < :stuckBefore) ORDER BY r.id FOR UPDATE")
  List<RentalRow> lockAllLive(@Bind("stuckBefore") Instant stuckBefore);

  @SqlUpdate("UPDATE rentals SET status = :to WHERE id = :id AND status = :from")
  int transition(@Bind("id") long id, @Bind("from") String from, @Bind("to") String to);

  @SqlUpdate("UPDATE rentals SET status = 'ended', end_reason = :reason, ended_at = :now"
      + " WHERE id = :id AND status <> 'ended'")
  int end(@Bind("id") long id, @Bind("reason") String reason, @Bind("now") Instant now);

  /** Ends the lease only if it is still {@code from}; returns 0 when someone else ended or moved it. */
  @SqlUpdate("UPDATE rentals SET status = 'ended', end_reason = :reason, ended_at = :now"
      + " WHERE id = :id AND status = :from")
  int endIf(@Bind("id") long id, @Bind("from") String from, @Bind("reason") String reason, @Bind("now") Instant now);

  /**
   * Refused (0 rows) while a scheduler holds a claim on the lease (it may be ending or moving it
   * right now); the client retries once the claim is released or lapses.
   */
  @SqlUpdate("UPDATE rentals SET leased_until = :until WHERE id = :id"
      + " AND (claimed_until IS NULL OR claimed_until <= :now)")
  int extend(@Bind("id") long id, @Bind("until") Instant until, @Bind("now") Instant now);

  /**
   * In write order ({@code seq}): a lease's own events are written one transaction after another.
   * Its node's load events while it held the node (class changes) name the lease too.
   */
  @SqlQuery("SELECT seq AS id, kind, at, actor, from_status, to_status, from_node_id, to_node_id, reason FROM events"
      + " WHERE lease_id = :id AND kind IN ('lease', 'load') ORDER BY seq")
  List<EventRow> events(@Bind("id") long rentalId);
}

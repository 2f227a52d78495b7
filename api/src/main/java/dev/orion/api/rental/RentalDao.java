package dev.orion.api.rental;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** Leases as the API reads them (owner checks, lists, history); every lease write is {@code LeaseStore}'s. */
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


  String ALLOCATABLE = "status = 'alive' AND allocated = FALSE AND clean = TRUE";

  /** Rows other rents hold are skipped, never waited on: the rent either finds enough or fails fast. */
  @SqlQuery("SELECT id, hostname, ip, ssh_port, host_key, host_key_fingerprint FROM nodes WHERE " + ALLOCATABLE
      + " ORDER BY id LIMIT :count FOR UPDATE SKIP LOCKED")
  List<FreeNode> lockFreeNodes(@Bind("count") int count);

  @SqlQuery("SELECT id FROM users WHERE id = :id FOR UPDATE")
  Optional<Long> lockUser(@Bind("id") long userId);

  /** A job's internal leases (kind 'job') are the schedulers' and count toward no account's limit. */
  @SqlQuery("SELECT COUNT(*) FROM rentals WHERE user_id = :id AND status <> 'ended' AND kind = 'client'")
  int countLiveOf(@Bind("id") long userId);

  @SqlQuery("SELECT COUNT(*) FROM nodes WHERE " + ALLOCATABLE)
  int countFree();

  /** Live leases of {@code clientUser} on the node (the same account may have rented it again). */
  @SqlQuery("SELECT COUNT(*) FROM rentals WHERE node_id = :node AND client_user = :user AND status <> 'ended'")
  int liveLeasesOf(@Bind("node") long nodeId, @Bind("user") String clientUser);

  String SELECT_RENTAL = "SELECT r.id, r.user_id, u.username, r.node_id, n.hostname, n.ip, n.ssh_port, n.host_key,"
      + " n.host_key_fingerprint, r.client_user, r.password_crypt, r.public_key, r.status, r.end_reason,"
      + " r.created_at, r.leased_until, r.ended_at"
      + " FROM rentals r JOIN users u ON u.id = r.user_id JOIN nodes n ON n.id = r.node_id";

  /**
   * Clients see, extend, release and reset their own leases only: a job's internal lease (kind
   * 'job', V60) is the schedulers' to end and is not a rental of anyone's.
   */
  String CLIENT = " r.kind = 'client' AND ";

  /** The rental, locked, if the caller may touch it ({@code ownerId} null means any owner). */
  @SqlQuery(SELECT_RENTAL + " WHERE" + CLIENT + "r.id = :id AND (:ownerId IS NULL OR r.user_id = :ownerId) FOR UPDATE")
  Optional<RentalRow> lockVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery(SELECT_RENTAL + " WHERE" + CLIENT + "r.id = :id AND (:ownerId IS NULL OR r.user_id = :ownerId)")
  Optional<RentalRow> findVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery(SELECT_RENTAL + " WHERE" + CLIENT + "(:ownerId IS NULL OR r.user_id = :ownerId) <live> ORDER BY r.id")
  List<RentalRow> list(@Bind("ownerId") Long ownerId, @Define("live") String liveFilter);

  /** Live leases, except those a rent is provisioning right now (younger than {@code stuckBefore}). */
  @SqlQuery(SELECT_RENTAL + " WHERE" + CLIENT + "(r.status IN ('active', 'migrating')"
      + " OR (r.status = 'provisioning' AND r.created_at < :stuckBefore)) ORDER BY r.id FOR UPDATE")
  List<RentalRow> lockAllLive(@Bind("stuckBefore") Instant stuckBefore);

  /**
   * In write order ({@code seq}): a lease's own events are written one transaction after another.
   * Its node's load events while it held the node (class changes) name the lease too.
   */
  @SqlQuery("SELECT seq AS id, kind, at, actor, from_status, to_status, from_node_id, to_node_id, reason FROM events"
      + " WHERE lease_id = :id AND kind IN ('lease', 'load') ORDER BY seq")
  List<EventRow> events(@Bind("id") long rentalId);
}

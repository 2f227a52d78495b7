package dev.orion.common.lease;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The lease store's statements; used only through {@link LeaseStore}, which decides every
 * transition on the locked row first. Each write is still conditional on the status it was
 * decided on, so a caller that forgot the lock changes nothing rather than something wrong.
 */
@RegisterConstructorMapper(LeaseDao.LeaseRow.class)
public interface LeaseDao {
  String COLUMNS = "id, node_id, target_node_id, status, client_user, created_at, leased_until, claimed_by,"
      + " claimed_until";

  @SqlQuery("SELECT " + COLUMNS + " FROM rentals WHERE id IN (<ids>) ORDER BY id FOR UPDATE")
  List<LeaseRow> lock(@BindList("ids") Collection<Long> ids);

  /**
   * The fence of a scheduler's completion and the lease lock in one statement: those of the rows
   * still claimed by {@code me} and not lapsed at {@code now}, locked, in id order; see
   * {@code LeaseDao/lockClaimed.sql}.
   */
  @UseClasspathSqlLocator
  @SqlQuery
  List<LeaseRow> lockClaimed(@BindList("ids") Collection<Long> ids, @Bind("me") String me, @Bind("now") Instant now);

  /**
   * The nodes' active client leases, locked (health moves them to migrating when the nodes die). A
   * job's internal lease never migrates: its attempt is lost with the node, and the job loop ends
   * the lease and retries the job elsewhere.
   */
  @SqlQuery("SELECT " + COLUMNS + " FROM rentals WHERE node_id IN (<nodes>) AND status = 'active'"
      + " AND kind = 'client' ORDER BY id FOR UPDATE")
  List<LeaseRow> lockActiveOn(@BindList("nodes") Collection<Long> nodeIds);

  @SqlUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, public_key, status, created_at,"
      + " leased_until) VALUES (:userId, :nodeId, :clientUser, :passwordCrypt, :publicKey, 'provisioning',"
      + " :createdAt, :leasedUntil)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods LeaseStore.NewLease lease);

  @SqlUpdate("INSERT INTO rentals (user_id, node_id, client_user, password_crypt, public_key, status, created_at,"
      + " leased_until, kind) VALUES (:userId, :nodeId, :clientUser, :passwordCrypt, :publicKey, 'active',"
      + " :createdAt, :leasedUntil, 'job')")
  @GetGeneratedKeys("id")
  long insertJob(@BindMethods LeaseStore.NewLease lease);

  /**
   * Jobs that run on the leases as their client user (POST /api/jobs with rental_id) end with them:
   * asked to cancel, and due now, so a job waiting out its back-off is cancelled at once too.
   */
  @SqlUpdate("UPDATE jobs SET cancel_requested = TRUE, due_at = LEAST(due_at, :now)"
      + " WHERE rental_id IN (<ids>) AND status IN ('pending', 'running')")
  int cancelJobs(@BindList("ids") Collection<Long> leaseIds, @Bind("now") Instant now);

  /** Allocates a node for a lease; 0 when someone else holds it. */
  @SqlUpdate("UPDATE nodes SET allocated = TRUE WHERE id = :id AND allocated = FALSE")
  int allocate(@Bind("id") long nodeId);

  @SqlUpdate("UPDATE rentals SET status = :to WHERE id IN (<ids>) AND status = :from")
  int setStatus(@BindList("ids") Collection<Long> ids, @Bind("from") String from, @Bind("to") String to);

  @SqlUpdate("UPDATE rentals SET status = 'ended', end_reason = :reason, ended_at = :now, target_node_id = NULL"
      + " WHERE id IN (<ids>) AND status <> 'ended'")
  int end(@BindList("ids") Collection<Long> ids, @Bind("reason") String reason, @Bind("now") Instant now);

  @SqlUpdate("UPDATE rentals SET target_node_id = :target WHERE id = :id AND status = 'migrating'"
      + " AND target_node_id IS NULL")
  int reserve(@Bind("id") long leaseId, @Bind("target") long target);

  @SqlUpdate("UPDATE rentals SET target_node_id = NULL WHERE id = :id AND target_node_id = :target")
  int dropReservation(@Bind("id") long leaseId, @Bind("target") long target);

  @SqlUpdate("UPDATE rentals SET node_id = :to, status = 'active', target_node_id = NULL"
      + " WHERE id = :id AND status = 'migrating'")
  int move(@Bind("id") long leaseId, @Bind("to") long to);

  @SqlUpdate("UPDATE rentals SET leased_until = :until WHERE id = :id AND status IN ('active', 'migrating')")
  int extend(@Bind("id") long leaseId, @Bind("until") Instant until);

  /** The row as read; {@link LeaseStore} turns it into a {@link Lease}. */
  record LeaseRow(long id, long nodeId, Long targetNodeId, String status, String clientUser, Instant createdAt,
      Instant leasedUntil, String claimedBy, Instant claimedUntil) {
    public Lease lease() {
      return new Lease(id, nodeId, targetNodeId, LeaseStatus.of(status), clientUser, createdAt, leasedUntil,
          claimedBy, claimedUntil);
    }
  }
}

package dev.orion.scheduler.expiry;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The rentals aggregate as the expiry loop sees it. */
public interface ExpiryDao {
  /** Locks up to {@code limit} due, unclaimed leases; see {@code ExpiryDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlUpdate("UPDATE rentals SET claimed_by = :me, claimed_until = :until WHERE id IN (<ids>)")
  void claim(@BindList("ids") Collection<Long> ids, @Bind("me") String me, @Bind("until") Instant until);

  @SqlQuery("SELECT r.id, r.node_id, r.target_node_id, r.status, r.client_user, r.leased_until,"
      + " n.status AS node_status, n.ip, n.ssh_port, n.host_key"
      + " FROM rentals r JOIN nodes n ON n.id = r.node_id WHERE r.id IN (<ids>)")
  @RegisterConstructorMapper(DueLease.class)
  List<DueLease> load(@BindList("ids") Collection<Long> ids);

  /**
   * Ends the leases still claimed by {@code me}. Each condition guards a race: the claim against
   * another scheduler that took over after ours lapsed, {@code leased_until} against an extend
   * that slipped in, the status against a release or reset by the API.
   */
  @SqlUpdate("UPDATE rentals SET status = 'ended', end_reason = 'expired', ended_at = :now,"
      + " claimed_until = NULL, target_node_id = NULL"
      + " WHERE id IN (<ids>) AND claimed_by = :me AND claimed_until > :now"
      + " AND leased_until <= :now AND status IN ('active', 'migrating')")
  int endClaimed(@BindList("ids") Collection<Long> ids, @Bind("me") String me, @Bind("now") Instant now);

  /** Which of {@code ids} this transaction's {@link #endClaimed} ended (they stay locked by it). */
  @SqlQuery("SELECT id FROM rentals WHERE id IN (<ids>) AND status = 'ended'"
      + " AND end_reason = 'expired' AND claimed_by = :me AND claimed_until IS NULL")
  List<Long> endedBy(@BindList("ids") Collection<Long> ids, @Bind("me") String me);

  /** Unallocated but unclean: not rentable until the client user is known to be gone. */
  @SqlUpdate("UPDATE nodes SET allocated = 0, clean = 0 WHERE id IN (<ids>)")
  void release(@BindList("ids") Collection<Long> nodeIds);

  /** After the client user was deleted; a node rented or claimed meanwhile is left alone. */
  @SqlUpdate("UPDATE nodes SET clean = 1 WHERE id = :id AND allocated = 0 AND clean = 0")
  int markClean(@Bind("id") long nodeId);
}

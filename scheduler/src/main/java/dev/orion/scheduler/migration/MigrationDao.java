package dev.orion.scheduler.migration;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Rentals and the nodes they move between, as the migration loop sees them. */
public interface MigrationDao {
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlUpdate("UPDATE rentals SET claimed_by = :me, claimed_until = :until WHERE id IN (<ids>)")
  void claim(@BindList("ids") Collection<Long> ids, @Bind("me") String me, @Bind("until") Instant until);

  @SqlQuery("SELECT r.id, r.node_id, n.status AS node_status, n.pool, r.target_node_id,"
      + " r.client_user, r.password_crypt, r.public_key, r.leased_until"
      + " FROM rentals r JOIN nodes n ON n.id = r.node_id WHERE r.id IN (<ids>)")
  @RegisterConstructorMapper(MovingLease.class)
  List<MovingLease> load(@BindList("ids") Collection<Long> ids);

  @SqlQuery("SELECT id, ip, ssh_port, host_key FROM nodes WHERE id = :id")
  @RegisterConstructorMapper(Endpoint.class)
  Endpoint endpoint(@Bind("id") long nodeId);

  /**
   * Locks the lease before any node, the order every writer (the API's release included) uses,
   * so reserving a node cannot deadlock with a release of the same lease.
   */
  @SqlQuery("SELECT id FROM rentals WHERE id = :id AND claimed_by = :me AND claimed_until > :now"
      + " AND status = 'migrating' FOR UPDATE")
  Optional<Long> lockClaimed(@Bind("id") long rentalId, @Bind("me") String me, @Bind("now") Instant now);

  /** See {@code MigrationDao/lockFreeNode.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  Optional<Long> lockFreeNode(@Bind("pool") String pool);

  @SqlUpdate("UPDATE nodes SET allocated = 1 WHERE id = :id AND allocated = 0")
  int allocate(@Bind("id") long nodeId);

  @SqlUpdate("UPDATE rentals SET target_node_id = :target WHERE id = :id AND claimed_by = :me"
      + " AND claimed_until > :now AND status = 'migrating'")
  int reserve(@Bind("id") long rentalId, @Bind("target") long target, @Bind("me") String me,
      @Bind("now") Instant now);

  /** The move itself; every condition guards a race (claim lapsed, released, expired meanwhile). */
  @SqlUpdate("UPDATE rentals SET node_id = :target, status = 'active', target_node_id = NULL,"
      + " claimed_until = NULL WHERE id = :id AND claimed_by = :me AND claimed_until > :now"
      + " AND status = 'migrating'")
  int move(@Bind("id") long rentalId, @Bind("target") long target, @Bind("me") String me,
      @Bind("now") Instant now);

  /** The dead node keeps the old user until it is back and scrubbed: free, not clean. */
  @SqlUpdate("UPDATE nodes SET allocated = 0, clean = 0 WHERE id = :id")
  void releaseNode(@Bind("id") long nodeId);

  @SqlUpdate("UPDATE rentals SET target_node_id = NULL, claimed_until = NULL"
      + " WHERE id = :id AND claimed_by = :me")
  int dropReservation(@Bind("id") long rentalId, @Bind("me") String me);

  @SqlUpdate("UPDATE rentals SET claimed_until = NULL WHERE id = :id AND claimed_by = :me")
  int unclaim(@Bind("id") long rentalId, @Bind("me") String me);

  /**
   * A lease released or reset by the API while it was moving: the API frees the lease's own node
   * but does not know of the reserved one, so free it here (unclean: the login may be on it).
   */
  @SqlUpdate("UPDATE nodes n JOIN rentals r ON r.target_node_id = n.id"
      + " SET n.allocated = 0, n.clean = 0, r.target_node_id = NULL"
      + " WHERE r.id = :id AND r.status = 'ended'")
  int freeOrphanedReservation(@Bind("id") long rentalId);
}

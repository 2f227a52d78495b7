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

/**
 * Rentals and the nodes they move between, as the migration queue sees them. Every write here
 * runs inside a transaction fenced by the lease's claim (see {@code ClaimQueue}), which has locked
 * the lease row first: the order every writer (the API's release included) uses.
 */
public interface MigrationDao {
  /** See {@code MigrationDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT r.id, r.node_id, n.status AS node_status, n.pool, r.target_node_id,"
      + " r.client_user, r.password_crypt, r.public_key, r.leased_until"
      + " FROM rentals r JOIN nodes n ON n.id = r.node_id WHERE r.id IN (<ids>)")
  @RegisterConstructorMapper(MovingLease.class)
  List<MovingLease> load(@BindList("ids") Collection<Long> ids);

  @SqlQuery("SELECT id, ip, ssh_port, host_key FROM nodes WHERE id = :id")
  @RegisterConstructorMapper(Endpoint.class)
  Endpoint endpoint(@Bind("id") long nodeId);

  /** See {@code MigrationDao/lockFreeNode.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  Optional<Long> lockFreeNode(@Bind("pool") String pool);

  @SqlUpdate("UPDATE nodes SET allocated = 1 WHERE id = :id AND allocated = 0")
  int allocate(@Bind("id") long nodeId);

  /** The reservation, recorded on the lease so a successor reuses the same node. */
  @SqlUpdate("UPDATE rentals SET target_node_id = :target WHERE id = :id AND status = 'migrating'")
  int reserve(@Bind("id") long rentalId, @Bind("target") long target);

  /** The move itself, only for a lease still migrating (not released or expired meanwhile). */
  @SqlUpdate("UPDATE rentals SET node_id = :target, status = 'active', target_node_id = NULL"
      + " WHERE id = :id AND status = 'migrating'")
  int move(@Bind("id") long rentalId, @Bind("target") long target);

  @SqlUpdate("UPDATE rentals SET target_node_id = NULL WHERE id = :id")
  int dropReservation(@Bind("id") long rentalId);

  /**
   * A lease released or reset by the API while it was moving: free its reserved node too
   * (unclean: the login may be on it).
   */
  @SqlUpdate("UPDATE nodes n JOIN rentals r ON r.target_node_id = n.id"
      + " SET n.allocated = 0, n.clean = 0, r.target_node_id = NULL"
      + " WHERE r.id = :id AND r.status = 'ended'")
  int freeOrphanedReservation(@Bind("id") long rentalId);
}

package dev.orion.scheduler.migration;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.Define;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/**
 * Rentals and the nodes they move between, as the migration queue reads them. Its writes (the
 * reservation, the move) are the lease store's, inside transactions fenced by the lease's claim.
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

  /** See {@code MigrationDao/lockFreeNode.sql}; {@code lock} is {@code SKIP LOCKED} or {@code WAIT n}. */
  @UseClasspathSqlLocator
  @SqlQuery
  Optional<Long> lockFreeNode(@Bind("pool") String pool, @Define("lock") String lock);

  /** A rentable node of the pool that nobody holds locked. */
  default Optional<Long> lockFreeNode(String pool) {
    return lockFreeNode(pool, "SKIP LOCKED");
  }

  /** Whether the pool has a rentable node, locked or not: a plain read, no lock taken or waited for. */
  @SqlQuery("SELECT EXISTS (SELECT 1 FROM nodes FORCE INDEX (ix_nodes_free) WHERE status = 'alive'"
      + " AND allocated = 0 AND clean = 1 AND pool = :pool)")
  boolean anyFree(@Bind("pool") String pool);

  /**
   * For when {@link #lockFreeNode(String)} found nothing while the pool has rentable nodes: all
   * were locked at that moment (a health round writing verdicts, a rent or another migration
   * choosing). Waits at most {@code waitSeconds} for the first one's lock, then takes it if it is
   * still rentable, else the next; throws on a lock wait timeout.
   */
  default Optional<Long> lockFreeNodeWaiting(String pool, long waitSeconds) {
    return lockFreeNode(pool, "WAIT " + waitSeconds);
  }
}

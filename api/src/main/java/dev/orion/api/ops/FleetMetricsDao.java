package dev.orion.api.ops;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The fleet figures the API exports to Prometheus, read at scrape time. */
public interface FleetMetricsDao {
  record NodeCpu(String hostname, String pool, double cpuPercent) {}

  record Count(String status, long n) {}

  /** The last heartbeat's CPU of each node that heartbeated since {@code since}. */
  @SqlQuery("SELECT hostname, pool, cpu_percent FROM nodes"
      + " WHERE cpu_percent IS NOT NULL AND last_heartbeat_at >= :since AND status <> 'forgotten'")
  @RegisterConstructorMapper(NodeCpu.class)
  List<NodeCpu> nodeCpu(@Bind("since") Instant since);

  record NodeClass(String hostname, String loadClass) {}

  /**
   * Each node's effective load class: the most severe class of an alert firing about it, else
   * its heartbeats' class if it heartbeated since {@code since}.
   */
  @SqlQuery("SELECT n.hostname, COALESCE(a.load_class, CASE WHEN l.sampled_at >= :since THEN l.load_class END)"
      + " AS load_class FROM nodes n"
      + " LEFT JOIN node_load l ON l.node_id = n.id"
      + " LEFT JOIN (SELECT node_id,"
      + "   ELT(MAX(FIELD(load_class, 'low', 'moderate', 'high')), 'low', 'moderate', 'high') AS load_class"
      + "   FROM node_alert_classes WHERE load_class IS NOT NULL GROUP BY node_id) a ON a.node_id = n.id"
      + " WHERE n.status <> 'forgotten'"
      + " AND (a.load_class IS NOT NULL OR l.sampled_at >= :since)")
  @RegisterConstructorMapper(NodeClass.class)
  List<NodeClass> nodeClasses(@Bind("since") Instant since);

  /** Live leases only: ended ones only ever grow and are history, not state. */
  @SqlQuery("SELECT status, COUNT(*) AS n FROM rentals WHERE status <> 'ended' GROUP BY status")
  @RegisterConstructorMapper(Count.class)
  List<Count> liveLeases();

  /** Forgotten nodes are history (kept for their leases), not part of the fleet. */
  @SqlQuery("SELECT status, COUNT(*) AS n FROM nodes WHERE status <> 'forgotten' GROUP BY status")
  @RegisterConstructorMapper(Count.class)
  List<Count> nodes();

  record PoolCount(String pool, long n) {}

  /**
   * Pending jobs by the pool they wait for: a job on a client's lease counts in its node's pool.
   * Every pool with a node is listed, 0 included.
   */
  @SqlQuery("SELECT p.pool, COALESCE(q.n, 0) AS n FROM"
      + " (SELECT DISTINCT pool FROM nodes WHERE status <> 'forgotten'"
      + "  UNION SELECT COALESCE(j.pool, n.pool) FROM jobs j LEFT JOIN rentals r ON r.id = j.rental_id"
      + "  LEFT JOIN nodes n ON n.id = r.node_id WHERE j.status = 'pending') p"
      + " LEFT JOIN (SELECT COALESCE(j.pool, n.pool) AS pool, COUNT(*) AS n FROM jobs j"
      + "  LEFT JOIN rentals r ON r.id = j.rental_id LEFT JOIN nodes n ON n.id = r.node_id"
      + "  WHERE j.status = 'pending' GROUP BY COALESCE(j.pool, n.pool)) q ON q.pool = p.pool"
      + " WHERE p.pool IS NOT NULL")
  @RegisterConstructorMapper(PoolCount.class)
  List<PoolCount> queuedJobs();
}

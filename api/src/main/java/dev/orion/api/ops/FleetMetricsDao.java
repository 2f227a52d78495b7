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

  /** Live leases only: ended ones only ever grow and are history, not state. */
  @SqlQuery("SELECT status, COUNT(*) AS n FROM rentals WHERE status <> 'ended' GROUP BY status")
  @RegisterConstructorMapper(Count.class)
  List<Count> liveLeases();

  /** Forgotten nodes are history (kept for their leases), not part of the fleet. */
  @SqlQuery("SELECT status, COUNT(*) AS n FROM nodes WHERE status <> 'forgotten' GROUP BY status")
  @RegisterConstructorMapper(Count.class)
  List<Count> nodes();
}

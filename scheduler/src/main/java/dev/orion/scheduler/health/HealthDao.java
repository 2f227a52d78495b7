package dev.orion.scheduler.health;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The nodes aggregate as the health checker sees it. */
public interface HealthDao {
  /** Locks up to {@code limit} nodes due for a check; see {@code HealthDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT id, ip, ssh_port, host_key, status, probe_failures, last_heartbeat_at, status_changed_at"
      + " FROM nodes WHERE id IN (<ids>)")
  @RegisterConstructorMapper(NodeState.class)
  List<NodeState> load(@BindList("ids") Collection<Long> ids);

  /** Nodes neither suspended nor dead, and how many of them are failing, outside {@code ids}. */
  @SqlQuery("SELECT COUNT(*) AS watched, COALESCE(SUM(probe_failures > 0), 0) AS failing FROM nodes"
      + " WHERE status IN ('alive', 'suspect') AND id NOT IN (<ids>)")
  @RegisterConstructorMapper(FleetView.class)
  FleetView fleetExcept(@BindList("ids") Collection<Long> ids);

  /**
   * Writes one outcome on every node of {@code nodeIds} (a round's verdicts grouped by outcome: a
   * steady round is one statement, not one per node); runs in a transaction fenced by the nodes'
   * claims. Each row keeps its own transition: the order of the SET list matters, MariaDB
   * evaluates it left to right, so {@code status_changed_at} and {@code spared_at} read the row's
   * old values before they are overwritten.
   */
  @SqlUpdate("UPDATE nodes SET"
      + " status_changed_at = CASE WHEN status <> :toStatus THEN :now ELSE status_changed_at END,"
      + " spared_at = CASE WHEN :sparedReason IS NULL THEN spared_at"
      + "   WHEN spared_reason <=> :sparedReason THEN spared_at ELSE :now END,"
      + " spared_reason = COALESCE(:sparedReason, CASE WHEN :toStatus = 'alive' THEN NULL ELSE spared_reason END),"
      + " status = :toStatus, probe_failures = :probeFailures, last_probe_error = :error,"
      + " last_probe_at = :now, next_check_at = :nextCheckAt,"
      + " last_seen_at = CASE WHEN :toStatus = 'alive' THEN :now ELSE last_seen_at END"
      + " WHERE id IN (<nodeIds>)")
  int record(@BindMethods Verdict.Outcome outcome, @BindList("nodeIds") Collection<Long> nodeIds,
      @Bind("now") Instant now);
}

package dev.orion.scheduler.pool;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Pools as the reconciler sees them: the claimable row per pool, what a round reads (in bulk, one
 * statement per table for a whole batch of pools) and the writes of its steps.
 */
@RegisterConstructorMapper(ReconcileDao.StateRow.class)
@RegisterConstructorMapper(ReconcileDao.OverrideRow.class)
@RegisterConstructorMapper(PoolSnapshot.Node.class)
@RegisterConstructorMapper(PoolSnapshot.Suspension.class)
@RegisterConstructorMapper(PoolSnapshot.Webhook.class)
public interface ReconcileDao {
  /**
   * A due pool's row with its settings (null without a {@code pools} row), its schedule (null
   * without a {@code pool_schedules} row) and whether it has overrides in force, open restore
   * records, webhooks, as {@code ReconcileDao/states.sql} reads them.
   */
  record StateRow(long id, String pool, String applied, String argocdSaved, String driver, Integer graceMinutes,
      String argocdApps, String cronStart, String cronStop, String uptime, String holidays, String timezone,
      Boolean active, boolean overridden, boolean suspending, boolean hooked) {
    SettingsRow settings() {
      return driver == null ? null : new SettingsRow(driver, graceMinutes, argocdApps);
    }

    ScheduleRow schedule() {
      return active == null ? null : new ScheduleRow(cronStart, cronStop, uptime, holidays, timezone, active);
    }
  }

  record SettingsRow(String driver, int graceMinutes, String argocdApps) {}

  /** A schedule as stored; the key of the reconciler's parsed schedules. */
  record ScheduleRow(String cronStart, String cronStop, String uptime, String holidays, String timezone,
      boolean active) {}

  record OverrideRow(String pool, String action, Instant createdAt, Instant until) {}

  /** See {@code ReconcileDao/discover.sql}; returns how many pools were new. */
  @UseClasspathSqlLocator
  @SqlUpdate
  int discover(@Bind("now") Instant now);

  /** See {@code ReconcileDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  /** See {@code ReconcileDao/states.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<StateRow> states(@BindList("ids") Collection<Long> ids, @Bind("now") Instant now);

  @SqlQuery("SELECT pool, action, created_at, until FROM pool_overrides WHERE pool IN (<pools>) AND until > :now"
      + " ORDER BY created_at, id")
  List<OverrideRow> overrides(@BindList("pools") Collection<String> pools, @Bind("now") Instant now);

  /** The pools' nodes that a pool may still put to sleep (forgotten ones are history). */
  @SqlQuery("SELECT id, pool, hostname, ip, ssh_port, host_key, status, allocated, registered_at, claimed_until"
      + " FROM nodes WHERE pool IN (<pools>) AND status IN ('alive', 'suspect', 'dead', 'suspended')")
  List<PoolSnapshot.Node> nodes(@BindList("pools") Collection<String> pools);

  /** Open restore records, with where their node is now and the host key pinned for it. */
  @SqlQuery("SELECT s.id, s.pool, s.node_id, s.driver, s.stopped_at, s.attempts, n.hostname, n.ip, n.ssh_port,"
      + " n.host_key, n.status FROM pool_suspensions s JOIN nodes n ON n.id = s.node_id"
      + " WHERE s.pool IN (<pools>) AND s.resumed_at IS NULL ORDER BY s.id")
  List<PoolSnapshot.Suspension> openSuspensions(@BindList("pools") Collection<String> pools);

  @SqlQuery("SELECT id, pool, url, secret FROM pool_webhooks WHERE pool IN (<pools>) ORDER BY id")
  List<PoolSnapshot.Webhook> webhooks(@BindList("pools") Collection<String> pools);

  // --- writes, each inside a transaction fenced by the pool's claim ---

  @SqlUpdate("UPDATE pool_states SET next_check_at = :next WHERE id IN (<ids>)")
  void nextCheck(@BindList("ids") Collection<Long> ids, @Bind("next") Instant next);

  @SqlUpdate("UPDATE pool_states SET applied = :applied, applied_at = :now WHERE id = :id")
  void applied(@Bind("id") long id, @Bind("applied") String applied, @Bind("now") Instant now);

  @SqlUpdate("UPDATE pool_states SET argocd_saved = :saved WHERE id = :id")
  void argocdSaved(@Bind("id") long id, @Bind("saved") String savedJson);

  /**
   * The node's status, locked: the cordon decides on what it holds, not on the snapshot (a node
   * forgotten since the snapshot is left alone: forgotten is terminal).
   */
  @SqlQuery("SELECT status FROM nodes WHERE id = :id AND pool = :pool AND allocated = FALSE AND status <> 'forgotten'"
      + " AND registered_at <= :registeredBy AND (claimed_until IS NULL OR claimed_until <= :now) FOR UPDATE")
  Optional<String> lockSuspendable(@Bind("id") long nodeId, @Bind("pool") String pool,
      @Bind("registeredBy") Instant registeredBy, @Bind("now") Instant now);

  @SqlUpdate("UPDATE nodes SET status = 'suspended', status_changed_at = :now WHERE id = :id")
  void markSuspended(@Bind("id") long nodeId, @Bind("now") Instant now);

  @SqlUpdate("INSERT INTO pool_suspensions (pool, node_id, driver, suspended_at) VALUES (:pool, :node, :driver, :now)")
  @GetGeneratedKeys("id")
  long insertSuspension(@Bind("pool") String pool, @Bind("node") long nodeId, @Bind("driver") String driver,
      @Bind("now") Instant now);

  @SqlUpdate("UPDATE pool_suspensions SET stopped_at = :now, last_error = NULL WHERE id = :id")
  void stopped(@Bind("id") long suspensionId, @Bind("now") Instant now);

  @SqlUpdate("UPDATE pool_suspensions SET attempts = attempts + 1, last_error = :error WHERE id = :id")
  void failed(@Bind("id") long suspensionId, @Bind("error") String error);

  @SqlUpdate("UPDATE pool_suspensions SET resumed_at = :now, outcome = :outcome, last_error = :error WHERE id = :id"
      + " AND resumed_at IS NULL")
  int close(@Bind("id") long suspensionId, @Bind("now") Instant now, @Bind("outcome") String outcome,
      @Bind("error") String error);

  /**
   * Back in service: due for a health check at once, with a clean slate of probe failures. Its
   * cleanliness is kept: a suspended node was free and nobody could rent it while it slept.
   */
  @SqlUpdate("UPDATE nodes SET status = 'alive', status_changed_at = :now, probe_failures = 0,"
      + " next_check_at = :now, last_seen_at = :now WHERE id = :id AND status = 'suspended'")
  int markResumed(@Bind("id") long nodeId, @Bind("now") Instant now);

  /** Node counts per pool and status, for {@code orion_pool_nodes}. */
  @SqlQuery("SELECT pool, status, COUNT(*) AS nodes FROM nodes WHERE status IN ('alive', 'suspect', 'dead',"
      + " 'suspended') GROUP BY pool, status")
  @RegisterConstructorMapper(PoolCount.class)
  List<PoolCount> counts();

  record PoolCount(String pool, String status, long nodes) {}
}

package dev.orion.api.pool;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Pools: settings, webhooks, overrides, restore records, and the node counts behind the list. */
@RegisterConstructorMapper(PoolDao.Settings.class)
@RegisterConstructorMapper(PoolDao.Webhook.class)
@RegisterConstructorMapper(PoolDao.OverrideRow.class)
@RegisterConstructorMapper(PoolDao.StateCount.class)
@RegisterConstructorMapper(PoolDao.Suspension.class)
public interface PoolDao {
  record Settings(String name, String driver, int graceMinutes, int userWakeMinutes, String argocdApps) {}

  record Webhook(long id, String pool, String url) {}

  record OverrideRow(long id, String pool, String action, Instant createdAt, Instant until, String createdBy) {}

  record StateCount(String pool, String status, int nodes) {}

  record Suspension(String pool, Instant suspendedAt, Instant resumedAt) {}

  @SqlQuery("SELECT name, driver, grace_minutes, user_wake_minutes, argocd_apps FROM pools")
  List<Settings> settings();

  @SqlUpdate("INSERT INTO pools (name, driver, grace_minutes, user_wake_minutes, argocd_apps, updated_at)"
      + " VALUES (:s.name, :s.driver, :s.graceMinutes, :s.userWakeMinutes, :s.argocdApps, :now)"
      + " ON DUPLICATE KEY UPDATE driver = VALUES(driver), grace_minutes = VALUES(grace_minutes),"
      + " user_wake_minutes = VALUES(user_wake_minutes), argocd_apps = VALUES(argocd_apps),"
      + " updated_at = VALUES(updated_at)")
  void put(@BindMethods("s") Settings s, @Bind("now") Instant now);

  @SqlUpdate("DELETE FROM pool_webhooks WHERE pool = :pool")
  void deleteWebhooks(@Bind("pool") String pool);

  @SqlBatch("INSERT INTO pool_webhooks (pool, url, secret) VALUES (:pool, :url, :secret)")
  void insertWebhooks(@Bind("pool") String pool, @Bind("url") List<String> urls, @Bind("secret") List<String> secrets);

  @SqlQuery("SELECT id, pool, url FROM pool_webhooks ORDER BY id")
  List<Webhook> webhooks();

  @SqlUpdate("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
      + " VALUES (:pool, :action, :createdAt, :until, :createdBy)")
  @GetGeneratedKeys("id")
  long insertOverride(@BindMethods OverrideRow o);

  /** Overrides not yet run out; older ones are history. */
  @SqlQuery("SELECT id, pool, action, created_at, until, created_by FROM pool_overrides WHERE until > :now"
      + " ORDER BY created_at, id")
  List<OverrideRow> overrides(@Bind("now") Instant now);

  /** Nodes by pool and status; forgotten nodes are history, not part of a pool. */
  @SqlQuery("SELECT pool, status, COUNT(*) AS nodes FROM nodes WHERE status <> 'forgotten' GROUP BY pool, status")
  List<StateCount> nodeCounts();

  /** Suspensions that overlap the window since {@code from}. */
  @SqlQuery("SELECT pool, suspended_at, resumed_at FROM pool_suspensions WHERE resumed_at IS NULL OR resumed_at > :from")
  List<Suspension> suspensionsSince(@Bind("from") Instant from);
}

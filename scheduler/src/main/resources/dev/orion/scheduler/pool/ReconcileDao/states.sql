-- The due pools, each with its settings and its schedule in one row: NULLs where a pool has no
-- settings (it runs on the defaults) or no schedule; both joins are on unique keys, so a pool is
-- one row whatever it has. The flags say which pools have overrides in force, open restore records
-- or webhooks: a round reads those tables for these pools only, which most of the time is none
-- (each flag is one probe of the table's pool index).
SELECT s.id, s.pool, s.applied, s.argocd_saved,
       p.driver, p.grace_minutes, p.argocd_apps,
       sc.cron_start, sc.cron_stop, sc.uptime, sc.holidays, sc.timezone, sc.active,
       EXISTS (SELECT 1 FROM pool_overrides o WHERE o.pool = s.pool AND o.until > :now) AS overridden,
       EXISTS (SELECT 1 FROM pool_suspensions x WHERE x.pool = s.pool AND x.resumed_at IS NULL) AS suspending,
       EXISTS (SELECT 1 FROM pool_webhooks w WHERE w.pool = s.pool) AS hooked
FROM pool_states s
LEFT JOIN pools p ON p.name = s.pool
LEFT JOIN pool_schedules sc ON sc.pool = s.pool
WHERE s.id IN (<ids>)

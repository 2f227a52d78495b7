package dev.orion.scheduler.job;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * Cron jobs ({@code scheduled_jobs}) as the cron queue sees them: the claimable row, what a round
 * reads for a batch (one statement per table) and the writes of a fire, each inside a transaction
 * fenced by the cron job's claim.
 */
@RegisterConstructorMapper(CronDao.ScheduleRow.class)
@RegisterConstructorMapper(CronDao.JobRow.class)
public interface CronDao {
  record ScheduleRow(long id, long userId, String name, String pool, String spec, String cron, String timezone,
      String concurrencyPolicy, Integer startingDeadlineSeconds, boolean suspend, int successfulJobsHistoryLimit,
      int failedJobsHistoryLimit, Instant createdAt, Instant lastFireAt) {}

  record JobRow(long id, long scheduledId, Instant scheduledFor, String status, Instant finishedAt,
      boolean cancelRequested) {}

  /** A new job of a fire; see {@code CronDao/insertJob.sql}. */
  record NewJob(long userId, String name, String pool, long scheduledId, Instant scheduledFor, String spec,
      int maxRetries, Integer timeoutSeconds, Integer ttlSecondsAfterFinished) {}

  /** What a look at a cron job leaves: its last fire dealt with and when to look again. */
  record Looked(long id, Instant lastFireAt, Instant lastScheduledAt, Instant nextCheckAt) {}

  /** See {@code CronDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT id, user_id, name, pool, spec, cron, timezone, concurrency_policy, starting_deadline_seconds,"
      + " suspend, successful_jobs_history_limit, failed_jobs_history_limit, created_at, last_fire_at"
      + " FROM scheduled_jobs WHERE id IN (<ids>)")
  List<ScheduleRow> schedules(@BindList("ids") Collection<Long> ids);

  /** Every job the cron jobs still have (history limits keep their number small). */
  @SqlQuery("SELECT id, scheduled_id, scheduled_for, status, finished_at, cancel_requested FROM jobs"
      + " WHERE scheduled_id IN (<ids>)")
  List<JobRow> jobs(@BindList("ids") Collection<Long> scheduledIds);

  /** The jobs made for the given cron jobs' fires at or after {@code since}: the ids of a batch just inserted. */
  @SqlQuery("SELECT id, scheduled_id, scheduled_for, status, finished_at, cancel_requested FROM jobs"
      + " WHERE scheduled_id IN (<ids>) AND scheduled_for >= :since")
  List<JobRow> fired(@BindList("ids") Collection<Long> scheduledIds, @Bind("since") Instant since);

  // --- writes, each inside a transaction fenced by the cron jobs' claims ---

  @UseClasspathSqlLocator
  @SqlUpdate
  @GetGeneratedKeys("id")
  long insertJob(@BindMethods NewJob job, @Bind("now") Instant now);

  /** A round's jobs in one batch; fails as a whole on a duplicate (see the caller's savepoint). */
  @UseClasspathSqlLocator
  @SqlBatch("insertJob")
  void insertJobs(@BindMethods List<NewJob> jobs, @Bind("now") Instant now);

  /** A fire (or a look without one) recorded: last_fire_at and last_scheduled_at only move forward. */
  @SqlBatch("UPDATE scheduled_jobs SET last_fire_at = COALESCE(GREATEST(last_fire_at, :lastFireAt), :lastFireAt,"
      + " last_fire_at), last_scheduled_at = COALESCE(GREATEST(last_scheduled_at, :lastScheduledAt),"
      + " :lastScheduledAt, last_scheduled_at), next_check_at = :nextCheckAt WHERE id = :id")
  void looked(@BindMethods List<Looked> looked);

  /**
   * Replace: the jobs still going are asked to stop (the job queue kills and records them), as the
   * API's cancel does: a pending one is made due now, so one waiting out a back-off ends at once.
   */
  @SqlUpdate("UPDATE jobs SET cancel_requested = TRUE, due_at = CASE WHEN status = 'pending'"
      + " THEN LEAST(due_at, :now) ELSE due_at END WHERE id IN (<ids>) AND status IN ('pending', 'running')"
      + " AND cancel_requested = FALSE")
  int requestCancel(@BindList("ids") Collection<Long> jobIds, @Bind("now") Instant now);

  /**
   * History limits: deletes finished jobs (their attempts go with them, ON DELETE CASCADE; their
   * events stay). A job another scheduler still holds a claim on is left for the next look.
   */
  @SqlUpdate("DELETE FROM jobs WHERE id IN (<ids>) AND status IN ('succeeded', 'failed', 'cancelled')"
      + " AND (claimed_until IS NULL OR claimed_until <= :now)")
  int deleteFinished(@BindList("ids") Collection<Long> jobIds, @Bind("now") Instant now);
}

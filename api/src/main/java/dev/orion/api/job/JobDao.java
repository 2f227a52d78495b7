package dev.orion.api.job;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.GetGeneratedKeys;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Jobs, their attempts and history as the API reads and writes them; attempts are the schedulers' to write. */
@RegisterConstructorMapper(JobDao.JobRow.class)
@RegisterConstructorMapper(JobDao.AttemptRow.class)
@RegisterConstructorMapper(JobDao.EventRow.class)
@RegisterConstructorMapper(JobDao.LogChunk.class)
@RegisterConstructorMapper(JobDao.LeaseTarget.class)
public interface JobDao {
  record JobRow(long id, long userId, String name, String pool, Long rentalId, Long scheduledId,
      Instant scheduledFor, String spec, int maxRetries, Integer timeoutSeconds, Integer ttlSecondsAfterFinished,
      String status, String reason, Instant createdAt, Instant dueAt, Instant startedAt, Instant finishedAt,
      boolean cancelRequested, Instant claimedUntil) {}

  record NewJob(long userId, String name, String pool, Long rentalId, String spec, int maxRetries,
      Integer timeoutSeconds, Integer ttlSecondsAfterFinished, Instant now) {}

  record AttemptRow(int attempt, long nodeId, Instant startedAt, Instant endedAt, Integer exitCode, String reason,
      long logBytes, long storedBytes) {}

  record EventRow(long id, String kind, Instant at, String actor, String fromStatus, String toStatus, Long nodeId,
      String reason) {}

  /** Bytes of an attempt's log from an offset, and whether the attempt has ended. */
  record LogChunk(int attempt, Instant endedAt, long logBytes, long storedBytes, byte[] data) {}

  /** A lease a job may run on, and its node. */
  record LeaseTarget(long id, long nodeId) {}

  String COLUMNS = "id, user_id, name, pool, rental_id, scheduled_id, scheduled_for, spec, max_retries,"
      + " timeout_seconds, ttl_seconds_after_finished, status, reason, created_at, due_at, started_at, finished_at,"
      + " cancel_requested, claimed_until";

  /** A new job is pending and due at once: a scheduler takes it on its next claim. */
  @SqlUpdate("INSERT INTO jobs (user_id, name, pool, rental_id, spec, max_retries, timeout_seconds,"
      + " ttl_seconds_after_finished, status, created_at, due_at) VALUES (:userId, :name, :pool, :rentalId, :spec,"
      + " :maxRetries, :timeoutSeconds, :ttlSecondsAfterFinished, 'pending', :now, :now)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods NewJob job);

  @SqlQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = :id AND (:ownerId IS NULL OR user_id = :ownerId)")
  Optional<JobRow> findVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery("SELECT " + COLUMNS + " FROM jobs WHERE id = :id AND (:ownerId IS NULL OR user_id = :ownerId) FOR UPDATE")
  Optional<JobRow> lockVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  /** Newest first, at most {@code limit}; {@code status} null for every status. */
  @SqlQuery("SELECT " + COLUMNS + " FROM jobs WHERE (:ownerId IS NULL OR user_id = :ownerId)"
      + " AND (:status IS NULL OR status = :status) ORDER BY id DESC LIMIT :limit")
  List<JobRow> list(@Bind("ownerId") Long ownerId, @Bind("status") String status, @Bind("limit") int limit);

  @SqlQuery("SELECT " + COLUMNS + " FROM jobs WHERE scheduled_id = :scheduledId ORDER BY id DESC LIMIT :limit")
  List<JobRow> ofScheduled(@Bind("scheduledId") long scheduledId, @Bind("limit") int limit);

  @SqlQuery("SELECT " + COLUMNS + " FROM jobs WHERE scheduled_id = :scheduledId AND status IN ('pending', 'running')"
      + " ORDER BY id FOR UPDATE")
  List<JobRow> lockUnfinishedOf(@Bind("scheduledId") long scheduledId);

  @SqlUpdate("DELETE FROM jobs WHERE scheduled_id = :scheduledId AND status IN ('succeeded', 'failed', 'cancelled')")
  int deleteFinishedOf(@Bind("scheduledId") long scheduledId);

  /** Cancels a pending job no scheduler holds; 0 when it is no longer such a job. */
  @SqlUpdate("UPDATE jobs SET status = 'cancelled', reason = 'Cancelled', finished_at = :now, claimed_by = NULL,"
      + " claimed_until = NULL WHERE id = :id AND status = 'pending'")
  int cancelPending(@Bind("id") long id, @Bind("now") Instant now);

  /**
   * The scheduler running (or starting) the job kills it and records it cancelled. A pending job
   * is made due at once: the job queue claims pending jobs only once due, and one waiting out its
   * back-off would otherwise be cancelled only when the back-off ends.
   */
  @SqlUpdate("UPDATE jobs SET cancel_requested = TRUE, due_at = CASE WHEN status = 'pending'"
      + " THEN LEAST(due_at, :now) ELSE due_at END WHERE id = :id AND status IN ('pending', 'running')")
  int requestCancel(@Bind("id") long id, @Bind("now") Instant now);

  @SqlQuery("SELECT attempt, node_id, started_at, ended_at, exit_code, reason, log_bytes,"
      + " COALESCE(LENGTH(log), 0) AS stored_bytes FROM job_attempts WHERE job_id = :id ORDER BY attempt")
  List<AttemptRow> attempts(@Bind("id") long jobId);

  @SqlQuery("SELECT seq AS id, kind, at, actor, from_status, to_status, node_id, reason FROM events"
      + " WHERE job_id = :id ORDER BY seq")
  List<EventRow> events(@Bind("id") long jobId);

  @SqlQuery("SELECT MAX(attempt) FROM job_attempts WHERE job_id = :id")
  Optional<Integer> latestAttempt(@Bind("id") long jobId);

  /** Up to {@code max} bytes of the attempt's log from byte {@code offset} (0-based). */
  @SqlQuery("SELECT attempt, ended_at, log_bytes, COALESCE(LENGTH(log), 0) AS stored_bytes,"
      + " COALESCE(SUBSTRING(log, :offset + 1, :max), '') AS data FROM job_attempts WHERE job_id = :id"
      + " AND attempt = :attempt")
  Optional<LogChunk> log(@Bind("id") long jobId, @Bind("attempt") int attempt, @Bind("offset") long offset,
      @Bind("max") int max);

  @SqlQuery("SELECT status FROM jobs WHERE id = :id")
  Optional<String> status(@Bind("id") long jobId);

  /** One of the caller's own live client leases (never a job's internal one). */
  @SqlQuery("SELECT id, node_id FROM rentals WHERE id = :id AND user_id = :userId AND kind = 'client'"
      + " AND status <> 'ended'")
  Optional<LeaseTarget> liveLeaseOf(@Bind("id") long rentalId, @Bind("userId") long userId);

  /** Whether the pool is known: a node was ever in it, or it has settings or a schedule. */
  @SqlQuery("SELECT EXISTS (SELECT 1 FROM nodes WHERE pool = :pool) OR EXISTS (SELECT 1 FROM pools WHERE name = :pool)"
      + " OR EXISTS (SELECT 1 FROM pool_schedules WHERE pool = :pool)")
  boolean poolKnown(@Bind("pool") String pool);

  /** The labels (JSON) of the pool's nodes. */
  @SqlQuery("SELECT labels FROM nodes WHERE pool = :pool AND status <> 'forgotten'")
  List<String> poolLabels(@Bind("pool") String pool);

  @SqlQuery("SELECT labels FROM nodes WHERE id = :id")
  List<String> nodeLabels(@Bind("id") long nodeId);
}

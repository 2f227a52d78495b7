package dev.orion.scheduler.job;

import dev.orion.common.lease.LeaseDao;
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
 * The jobs aggregate (jobs, job_attempts) as the job queue sees it. Status writes are conditional on
 * the status the caller decided on (checked against {@link dev.orion.common.job.JobStatus}'s table
 * first), so a caller that lost its fence changes nothing.
 */
@RegisterConstructorMapper(DueJob.class)
@RegisterConstructorMapper(AttemptRow.class)
@RegisterConstructorMapper(JobDao.FreeNode.class)
@RegisterConstructorMapper(JobDao.Watch.class)
@RegisterConstructorMapper(LeaseDao.LeaseRow.class)
public interface JobDao {
  String JOB = "id, user_id, name, pool, rental_id, scheduled_id, spec, max_retries, timeout_seconds, status,"
      + " reason, due_at, started_at, failures, cancel_requested";
  String ATTEMPT = "a.job_id, a.attempt, a.node_id, a.lease_id, a.unix_user, a.run_dir, a.pgid, a.started_at,"
      + " a.ended_at, COALESCE(LENGTH(a.log), 0) AS log_kept, a.log_bytes, n.ip, n.ssh_port, n.host_key";
  // :containers: the job has a step with an image, so only a worker whose container-runtime label
  // names a runtime the start knows (ContainerSteps.RUNTIMES) can take it.
  String FREE = "pool = :pool AND status = 'alive' AND allocated = FALSE AND clean = TRUE"
      + " AND (:containers = FALSE OR JSON_VALUE(labels, '$.\"orion.io/container-runtime\"') IN ('docker', 'podman'))";

  /** Locks up to {@code limit} due, unclaimed jobs; see {@code JobDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT " + JOB + " FROM jobs WHERE id IN (<ids>)")
  List<DueJob> load(@BindList("ids") Collection<Long> ids);

  /** The row as it stands (the caller's fence holds its lock). */
  @SqlQuery("SELECT " + JOB + " FROM jobs WHERE id = :id")
  DueJob get(@Bind("id") long id);

  @SqlQuery("SELECT " + ATTEMPT + " FROM job_attempts a JOIN nodes n ON n.id = a.node_id"
      + " WHERE a.job_id = :job ORDER BY a.attempt DESC LIMIT 1")
  Optional<AttemptRow> latestAttempt(@Bind("job") long jobId);

  // --- placement ---

  @SqlQuery("SELECT applied FROM pool_states WHERE pool = :pool")
  Optional<String> appliedState(@Bind("pool") String pool);

  /** Creates the pool's placement row on first use (V64). */
  @SqlUpdate("INSERT IGNORE INTO job_pools (pool) VALUES (:pool)")
  void ensurePool(@Bind("pool") String pool);

  /** Serialises the share check of placements in one pool (V64); empty before the pool's first job. */
  @SqlQuery("SELECT pool FROM job_pools WHERE pool = :pool FOR UPDATE")
  Optional<String> lockPool(@Bind("pool") String pool);

  /** Free workers of the pool, read without locks: most placements that would fail need no lock. */
  @SqlQuery("SELECT COUNT(*) FROM nodes WHERE " + FREE)
  int freeWorkers(@Bind("pool") String pool, @Bind("containers") boolean containers);

  @SqlQuery("SELECT COUNT(*) FROM nodes WHERE pool = :pool AND status IN ('alive', 'suspect')")
  int workers(@Bind("pool") String pool);

  @SqlQuery("SELECT COUNT(*) FROM rentals r JOIN nodes n ON n.id = r.node_id"
      + " WHERE r.kind = 'job' AND r.status <> 'ended' AND n.pool = :pool")
  int jobLeases(@Bind("pool") String pool);

  /** Free workers of the pool that are not low (heartbeats or a firing alert), read without locks. */
  @SqlQuery("SELECT n.id FROM (SELECT id FROM nodes WHERE " + FREE + ") n"
      + " LEFT JOIN node_load l ON l.node_id = n.id"
      + " LEFT JOIN (SELECT node_id,"
      + "   ELT(MAX(FIELD(load_class, 'low', 'moderate', 'high')), 'low', 'moderate', 'high') AS load_class"
      + "   FROM node_alert_classes WHERE load_class IS NOT NULL GROUP BY node_id) a ON a.node_id = n.id"
      + " WHERE COALESCE(a.load_class, l.load_class) = :cls")
  List<Long> freeOfClass(@Bind("pool") String pool, @Bind("containers") boolean containers,
      @Bind("cls") String loadClass);

  record FreeNode(long id, String ip, int sshPort, String hostKey) {}

  @SqlQuery("SELECT id, ip, ssh_port, host_key FROM nodes WHERE " + FREE + " AND id IN (<ids>)"
      + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
  Optional<FreeNode> lockFreeAmong(@Bind("pool") String pool, @Bind("containers") boolean containers,
      @BindList("ids") Collection<Long> ids);

  @SqlQuery("SELECT id, ip, ssh_port, host_key FROM nodes WHERE " + FREE + " AND id NOT IN (<ids>)"
      + " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED")
  Optional<FreeNode> lockFreeAllBut(@Bind("pool") String pool, @Bind("containers") boolean containers,
      @BindList("ids") Collection<Long> ids);

  /** The node's container-runtime label, if it has one. */
  @SqlQuery("SELECT JSON_VALUE(labels, '$.\"orion.io/container-runtime\"') FROM nodes WHERE id = :id")
  Optional<String> containerRuntime(@Bind("id") long nodeId);

  @SqlQuery("SELECT n.id, n.ip, n.ssh_port, n.host_key FROM nodes n WHERE n.id = :id")
  FreeNode node(@Bind("id") long nodeId);

  /** A job's own lease as it stands, read without a lock (placement must not lock it under the job's). */
  @SqlQuery("SELECT " + LeaseDao.COLUMNS + " FROM rentals WHERE id = :id")
  Optional<LeaseDao.LeaseRow> lease(@Bind("id") long leaseId);

  @SqlQuery("SELECT COALESCE(MAX(attempt), 0) + 1 FROM job_attempts WHERE job_id = :job")
  int nextAttempt(@Bind("job") long jobId);

  @SqlUpdate("INSERT INTO job_attempts (job_id, attempt, node_id, lease_id, unix_user, run_dir)"
      + " VALUES (:job, :attempt, :node, :lease, :user, :runDir)")
  void insertAttempt(@Bind("job") long jobId, @Bind("attempt") int attempt, @Bind("node") long nodeId,
      @Bind("lease") Long leaseId, @Bind("user") String user, @Bind("runDir") String runDir);

  // --- job status ---

  @SqlUpdate("UPDATE jobs SET status = :to, reason = :reason WHERE id = :id AND status = :from")
  int setStatus(@Bind("id") long id, @Bind("from") String from, @Bind("to") String to,
      @Bind("reason") String reason);

  /** Stays pending with why, looked at again at {@code due}. */
  @SqlUpdate("UPDATE jobs SET reason = :reason, due_at = :due WHERE id = :id AND status = 'pending'")
  int waitPending(@Bind("id") long id, @Bind("reason") String reason, @Bind("due") Instant due);

  @SqlUpdate("UPDATE jobs SET status = 'pending', reason = :reason, due_at = :due, failures = :failures"
      + " WHERE id = :id AND status = 'running'")
  int retry(@Bind("id") long id, @Bind("reason") String reason, @Bind("due") Instant due,
      @Bind("failures") int failures);

  @SqlUpdate("UPDATE jobs SET status = :to, reason = :reason, finished_at = :now, failures = :failures"
      + " WHERE id = :id AND status = :from")
  int finish(@Bind("id") long id, @Bind("from") String from, @Bind("to") String to, @Bind("reason") String reason,
      @Bind("now") Instant now, @Bind("failures") int failures);

  // --- attempts ---

  @SqlUpdate("UPDATE job_attempts SET pgid = :pgid, started_at = COALESCE(started_at, :now)"
      + " WHERE job_id = :job AND attempt = :attempt")
  int started(@Bind("job") long jobId, @Bind("attempt") int attempt, @Bind("pgid") int pgid,
      @Bind("now") Instant now);

  @SqlUpdate("UPDATE jobs SET started_at = COALESCE(started_at, :now) WHERE id = :id")
  int jobStarted(@Bind("id") long jobId, @Bind("now") Instant now);

  /**
   * Appends a chunk of output where the copy stands at {@code kept} (a repeated append after a
   * retried transaction finds the log longer and changes nothing) and records the total written.
   */
  @SqlUpdate("UPDATE job_attempts SET log = CONCAT(COALESCE(log, ''), :chunk), log_bytes = GREATEST(log_bytes, :total)"
      + " WHERE job_id = :job AND attempt = :attempt AND COALESCE(LENGTH(log), 0) = :kept")
  int appendLog(@Bind("job") long jobId, @Bind("attempt") int attempt, @Bind("kept") long kept,
      @Bind("chunk") byte[] chunk, @Bind("total") long total);

  @SqlQuery("SELECT COALESCE(LENGTH(log), 0) FROM job_attempts WHERE job_id = :job AND attempt = :attempt")
  long logKept(@Bind("job") long jobId, @Bind("attempt") int attempt);

  @SqlUpdate("UPDATE job_attempts SET log_bytes = GREATEST(log_bytes, :total) WHERE job_id = :job AND attempt = :attempt")
  int logBytes(@Bind("job") long jobId, @Bind("attempt") int attempt, @Bind("total") long total);

  @SqlUpdate("UPDATE job_attempts SET ended_at = :now, exit_code = :exit, reason = :reason"
      + " WHERE job_id = :job AND attempt = :attempt AND ended_at IS NULL")
  int endAttempt(@Bind("job") long jobId, @Bind("attempt") int attempt, @Bind("now") Instant now,
      @Bind("exit") Integer exitCode, @Bind("reason") String reason);

  /** What a watch round decides on besides the worker's answer. */
  record Watch(boolean cancelRequested, Instant startedAt, Integer timeoutSeconds, String nodeStatus,
      String leaseStatus) {}

  @SqlQuery("SELECT j.cancel_requested, j.started_at, j.timeout_seconds, n.status AS node_status,"
      + " r.status AS lease_status"
      + " FROM jobs j JOIN job_attempts a ON a.job_id = j.id JOIN nodes n ON n.id = a.node_id"
      + " LEFT JOIN rentals r ON r.id = COALESCE(a.lease_id, j.rental_id)"
      + " WHERE j.id = :job AND a.attempt = :attempt")
  Watch watch(@Bind("job") long jobId, @Bind("attempt") int attempt);
}

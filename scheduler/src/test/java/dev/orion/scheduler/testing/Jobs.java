package dev.orion.scheduler.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** Writes jobs rows as the API would, and reads back what the job queue did with them. */
public final class Jobs {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Jdbi jdbi;
  private final long userId;

  public Jobs(Jdbi jdbi, long userId) {
    this.jdbi = jdbi;
    this.userId = userId;
  }

  /** A pending job, due now, running {@code sh -c script} on a worker of {@code pool}. */
  public long submit(String pool, String script, int maxRetries, Integer timeoutSeconds) {
    return insert(pool, null, script, maxRetries, timeoutSeconds);
  }

  /** A pending job on the caller's own lease. */
  public long submitOnLease(long rentalId, String script) {
    return insert(null, rentalId, script, 0, null);
  }

  private long insert(String pool, Long rentalId, String script, int maxRetries, Integer timeoutSeconds) {
    Map<String, Object> step = new LinkedHashMap<>();
    step.put("name", "main");
    step.put("command", List.of("sh", "-c", script));
    step.put("image", null);
    String spec;
    try {
      spec = JSON.writeValueAsString(Map.of("steps", List.of(step), "env", Map.of("JOB_GREETING", "hello")));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    Instant now = Instant.now();
    return jdbi.withHandle(h -> h.createUpdate("INSERT INTO jobs (user_id, name, pool, rental_id, spec, max_retries,"
            + " timeout_seconds, created_at, due_at) VALUES (:u, :n, :p, :r, :s, :m, :t, :now, :now)")
        .bind("u", userId).bind("n", "job-" + System.nanoTime()).bind("p", pool).bind("r", rentalId)
        .bind("s", spec).bind("m", maxRetries).bind("t", timeoutSeconds).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  public String status(long jobId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT status FROM jobs WHERE id = :id").bind("id", jobId)
        .mapTo(String.class).one());
  }

  public Map<String, Object> job(long jobId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT * FROM jobs WHERE id = :id").bind("id", jobId)
        .mapToMap().one());
  }

  public List<Map<String, Object>> attempts(long jobId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT job_id, attempt, node_id, lease_id, unix_user, run_dir, pgid,"
            + " started_at, ended_at, exit_code, reason, CAST(log AS CHAR) AS log, log_bytes FROM job_attempts"
            + " WHERE job_id = :id ORDER BY attempt").bind("id", jobId).mapToMap().list());
  }

  public boolean finished(long jobId) {
    return List.of("succeeded", "failed", "cancelled").contains(status(jobId));
  }

  public void cancel(long jobId) {
    jdbi.useHandle(h -> h.execute("UPDATE jobs SET cancel_requested = TRUE WHERE id = ?", jobId));
  }

  /** The job's events, oldest first: from→to and why. */
  public List<String> events(long jobId) {
    return jdbi.withHandle(h -> h.createQuery("SELECT CONCAT(COALESCE(from_status, '-'), '->', to_status, ': ', reason)"
            + " FROM events WHERE job_id = :id ORDER BY seq").bind("id", jobId).mapTo(String.class).list());
  }
}

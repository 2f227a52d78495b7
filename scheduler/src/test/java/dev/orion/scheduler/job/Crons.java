package dev.orion.scheduler.job;

import dev.orion.common.job.JobSpec;
import dev.orion.common.job.JobTemplate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** Writes cron jobs and jobs straight into the schema, as the API and the job queue would leave them. */
final class Crons {
  static final String SPEC = JobTemplate.of(JobSpec.of(List.of("sh", "-c", "echo hi"), Map.of("A", "1")), 2, 600,
      null).toJson();

  private final Jdbi jdbi;
  final long userId;

  Crons(Jdbi jdbi) {
    this.jdbi = jdbi;
    this.userId = jdbi.withHandle(h -> h.createUpdate(
            "INSERT INTO users (username, password_hash, created_at) VALUES (:u, 'x', :now)")
        .bind("u", "cron" + System.nanoTime() % 100000).bind("now", Instant.parse("2020-01-01T00:00:00Z"))
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  /** A cron job as the API creates it: due for a look at once. */
  long schedule(String name, String cron, String zone, String policy, Integer deadline, boolean suspend,
      int keepSucceeded, int keepFailed, Instant createdAt) {
    return schedules(name, 1, cron, zone, policy, deadline, suspend, keepSucceeded, keepFailed, createdAt).get(0);
  }

  long schedule(String name, String cron, Instant createdAt) {
    return schedule(name, cron, "UTC", "Allow", null, false, 3, 1, createdAt);
  }

  /** {@code count} cron jobs named {@code prefix-i}, in one batch; returns their ids in order. */
  List<Long> schedules(String prefix, int count, String cron, String zone, String policy, Integer deadline,
      boolean suspend, int keepSucceeded, int keepFailed, Instant createdAt) {
    return jdbi.inTransaction(h -> {
      PreparedBatch b = h.prepareBatch("INSERT INTO scheduled_jobs (user_id, name, pool, spec, cron, timezone,"
          + " concurrency_policy, starting_deadline_seconds, suspend, successful_jobs_history_limit,"
          + " failed_jobs_history_limit, created_at, updated_at, next_check_at)"
          + " VALUES (:user, :name, 'batch', :spec, :cron, :zone, :policy, :deadline, :suspend, :ks, :kf, :at, :at,"
          + " :at)");
      for (int i = 0; i < count; i++) {
        b.bind("user", userId).bind("name", count == 1 ? prefix : prefix + "-" + i).bind("spec", SPEC)
            .bind("cron", cron).bind("zone", zone).bind("policy", policy).bind("deadline", deadline)
            .bind("suspend", suspend).bind("ks", keepSucceeded).bind("kf", keepFailed).bind("at", createdAt).add();
      }
      b.execute();
      return h.createQuery("SELECT id FROM scheduled_jobs WHERE name = :p OR name LIKE :like ORDER BY id")
          .bind("p", prefix).bind("like", prefix + "-%").mapTo(Long.class).list();
    });
  }

  /** A job of the cron job in {@code status} (finished ones at {@code at}), with one attempt. */
  long job(Long scheduledId, Instant scheduledFor, String status, Instant at, Integer ttl) {
    boolean finished = !status.equals("pending") && !status.equals("running");
    long id = jdbi.withHandle(h -> h.createUpdate("INSERT INTO jobs (user_id, name, pool, scheduled_id, scheduled_for,"
            + " spec, status, created_at, due_at, started_at, finished_at, ttl_seconds_after_finished)"
            + " VALUES (:user, :name, 'batch', :sid, :for, '{}', :status, :at, :at, :at, :fin, :ttl)")
        .bind("user", userId).bind("name", "j" + System.nanoTime()).bind("sid", scheduledId)
        .bind("for", scheduledFor).bind("status", status).bind("at", at).bind("fin", finished ? at : null)
        .bind("ttl", ttl).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
    jdbi.useHandle(h -> {
      h.execute("INSERT INTO job_attempts (job_id, attempt, node_id, unix_user, run_dir) VALUES (?, 1, 1, 'u', '/r')",
          id);
      h.execute("INSERT INTO events (kind, at, actor, to_status, reason, job_id, scheduled_id)"
          + " VALUES ('job', ?, 'test', ?, 'as the test left it', ?, ?)", at, status, id, scheduledId);
    });
    return id;
  }

  /** A run-once job (no cron job). */
  long job(String status, Instant at, Integer ttl) {
    return job(null, null, status, at, ttl);
  }

  long count(String sql, Object... args) {
    return jdbi.withHandle(h -> {
      var q = h.createQuery(sql);
      for (int i = 0; i < args.length; i++) {
        q.bind(i, args[i]);
      }
      return q.mapTo(Long.class).one();
    });
  }

  void dueNow(long scheduledId, Instant now) {
    jdbi.useHandle(h -> h.execute("UPDATE scheduled_jobs SET next_check_at = ? WHERE id = ?", now, scheduledId));
  }
}

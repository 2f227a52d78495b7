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

/** Cron jobs as the API reads and writes them; firing them is the schedulers'. */
@RegisterConstructorMapper(ScheduledDao.Row.class)
public interface ScheduledDao {
  record Row(long id, long userId, String name, String pool, String spec, String cron, String timezone,
      String concurrencyPolicy, Integer startingDeadlineSeconds, boolean suspend, int successfulJobsHistoryLimit,
      int failedJobsHistoryLimit, Instant createdAt, Instant updatedAt, Instant lastScheduledAt) {}

  /** What a create or a replace writes; {@code now} is also when a scheduler should look at it next. */
  record Write(long userId, String name, String pool, String spec, String cron, String timezone,
      String concurrencyPolicy, Integer startingDeadlineSeconds, boolean suspend, int successfulJobsHistoryLimit,
      int failedJobsHistoryLimit, Instant now) {}

  String COLUMNS = "id, user_id, name, pool, spec, cron, timezone, concurrency_policy, starting_deadline_seconds,"
      + " suspend, successful_jobs_history_limit, failed_jobs_history_limit, created_at, updated_at, last_scheduled_at";

  @SqlUpdate("INSERT INTO scheduled_jobs (user_id, name, pool, spec, cron, timezone, concurrency_policy,"
      + " starting_deadline_seconds, suspend, successful_jobs_history_limit, failed_jobs_history_limit, created_at,"
      + " updated_at, next_check_at) VALUES (:userId, :name, :pool, :spec, :cron, :timezone, :concurrencyPolicy,"
      + " :startingDeadlineSeconds, :suspend, :successfulJobsHistoryLimit, :failedJobsHistoryLimit, :now, :now, :now)")
  @GetGeneratedKeys("id")
  long insert(@BindMethods Write w);

  /**
   * Replaces the mutable fields and makes it due at once, so a scheduler reads the new cron. The
   * fire already recorded ({@code last_scheduled_at}) stays: a new cron never fires a past time twice.
   */
  @SqlUpdate("UPDATE scheduled_jobs SET pool = :w.pool, spec = :w.spec, cron = :w.cron, timezone = :w.timezone,"
      + " concurrency_policy = :w.concurrencyPolicy, starting_deadline_seconds = :w.startingDeadlineSeconds,"
      + " suspend = :w.suspend, successful_jobs_history_limit = :w.successfulJobsHistoryLimit,"
      + " failed_jobs_history_limit = :w.failedJobsHistoryLimit, updated_at = :w.now, next_check_at = :w.now"
      + " WHERE id = :id")
  int update(@Bind("id") long id, @BindMethods("w") Write w);

  @SqlQuery("SELECT " + COLUMNS + " FROM scheduled_jobs WHERE id = :id AND (:ownerId IS NULL OR user_id = :ownerId)")
  Optional<Row> findVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery("SELECT " + COLUMNS + " FROM scheduled_jobs WHERE id = :id AND (:ownerId IS NULL OR user_id = :ownerId)"
      + " FOR UPDATE")
  Optional<Row> lockVisible(@Bind("id") long id, @Bind("ownerId") Long ownerId);

  @SqlQuery("SELECT " + COLUMNS + " FROM scheduled_jobs WHERE (:ownerId IS NULL OR user_id = :ownerId) ORDER BY id")
  List<Row> list(@Bind("ownerId") Long ownerId);

  @SqlUpdate("DELETE FROM scheduled_jobs WHERE id = :id")
  int delete(@Bind("id") long id);
}

package dev.orion.scheduler.job;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** Finished jobs past their {@code ttl_seconds_after_finished}, as the TTL queue sees them. */
public interface JobTtlDao {
  record Expired(long id, String name, Long scheduledId, String status, Instant finishedAt,
      int ttlSecondsAfterFinished) {}

  /** See {@code JobTtlDao/lockDue.sql}. */
  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> lockDue(@Bind("now") Instant now, @Bind("limit") int limit);

  @SqlQuery("SELECT id, name, scheduled_id, status, finished_at, ttl_seconds_after_finished FROM jobs"
      + " WHERE id IN (<ids>)")
  @RegisterConstructorMapper(Expired.class)
  List<Expired> load(@BindList("ids") Collection<Long> ids);

  /** Deletes the jobs still expired (with their attempts, ON DELETE CASCADE; their events stay). */
  @SqlUpdate("DELETE FROM jobs WHERE id IN (<ids>) AND expires_at <= :now"
      + " AND status IN ('succeeded', 'failed', 'cancelled')")
  int delete(@BindList("ids") Collection<Long> ids, @Bind("now") Instant now);
}

package dev.orion.api.event;

import java.time.Instant;
import java.util.List;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlQuery;

/** The event log as the stream reads it: published events by id. */
@RegisterConstructorMapper(StreamDao.Row.class)
public interface StreamDao {
  /** One published event and the owners of what it concerns (null where it concerns no account). */
  record Row(long id, String kind, Instant at, Long leaseId, Long nodeId, Long jobId, Long scheduledId, String pool,
      String fromStatus, String toStatus, Long fromNodeId, Long toNodeId, String reason, Long leaseUser,
      Long jobUser, Long scheduleUser) {}

  @UseClasspathSqlLocator
  @SqlQuery
  List<Row> after(@Bind("after") long after, @Bind("limit") int limit);

  /** The last id published so far (0 before any). */
  @SqlQuery("SELECT last_id FROM event_sequence WHERE singleton = 1")
  long lastPublished();
}

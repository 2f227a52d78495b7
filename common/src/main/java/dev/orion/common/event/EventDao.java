package dev.orion.common.event;

import java.util.List;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethodsList;
import org.jdbi.v3.sqlobject.locator.UseClasspathSqlLocator;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** The event log's statements; used only through {@link EventLog}. */
public interface EventDao {
  /** All of {@code events} in one multi-row statement, in their order; see {@code EventDao/insert.sql}. */
  @UseClasspathSqlLocator
  @SqlUpdate
  void insert(@BindMethodsList(value = "events", methodNames = {"kindDb", "at", "actor", "leaseId", "nodeId",
      "fromStatus", "toStatus", "fromNodeId", "toNodeId", "reason", "pool", "jobId", "scheduledId"})
      List<Event> events);

  /** Whether any committed event waits for its id; a plain read that takes no lock. */
  @SqlQuery("SELECT EXISTS (SELECT 1 FROM events WHERE id IS NULL)")
  boolean anyUnpublished();

  /** Serialises publishers: one at a time hands out ids. */
  @SqlQuery("SELECT last_id FROM event_sequence WHERE singleton = 1 FOR UPDATE")
  long lockSequence();

  @UseClasspathSqlLocator
  @SqlQuery
  List<Long> unpublished(@Bind("limit") int limit);

  @SqlBatch("UPDATE events SET id = :id WHERE seq = :seq AND id IS NULL")
  void assign(@Bind("seq") List<Long> seqs, @Bind("id") List<Long> ids);

  @SqlUpdate("UPDATE event_sequence SET last_id = :last WHERE singleton = 1")
  void advance(@Bind("last") long last);
}

package dev.orion.api.load;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** A node's smoothed load and class (V42). */
@RegisterConstructorMapper(LoadDao.Row.class)
public interface LoadDao {
  record Row(long nodeId, double cpuPercent, double memPercent, String loadClass, Instant classSince,
      Instant sampledAt, String source) {}

  /** Locks the node's row so two replicas folding in two heartbeats of one node take turns. */
  @SqlQuery("SELECT node_id, cpu_percent, mem_percent, load_class, class_since, sampled_at, source"
      + " FROM node_load WHERE node_id = :nodeId FOR UPDATE")
  Optional<Row> lock(@Bind("nodeId") long nodeId);

  @SqlUpdate("INSERT INTO node_load (node_id, cpu_percent, mem_percent, load_class, class_since, sampled_at, source)"
      + " VALUES (:nodeId, :cpuPercent, :memPercent, :loadClass, :classSince, :sampledAt, :source)"
      + " ON DUPLICATE KEY UPDATE cpu_percent = VALUES(cpu_percent), mem_percent = VALUES(mem_percent),"
      + " load_class = VALUES(load_class), class_since = VALUES(class_since), sampled_at = VALUES(sampled_at),"
      + " source = VALUES(source)")
  void put(@BindMethods Row row);
}

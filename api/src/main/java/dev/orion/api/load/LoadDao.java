package dev.orion.api.load;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.sqlobject.config.RegisterConstructorMapper;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.customizer.BindMethods;
import org.jdbi.v3.sqlobject.statement.SqlBatch;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/** A node's smoothed load and class (V42). */
@RegisterConstructorMapper(LoadDao.Row.class)
public interface LoadDao {
  record Row(long nodeId, double cpuPercent, double memPercent, String loadClass, Instant classSince,
      Instant sampledAt, String source) {}

  @SqlQuery("SELECT node_id, cpu_percent, mem_percent, load_class, class_since, sampled_at, source"
      + " FROM node_load WHERE node_id = :nodeId")
  Optional<Row> get(@Bind("nodeId") long nodeId);

  /** The rows of {@code nodeIds} that exist. */
  @SqlQuery("SELECT node_id, cpu_percent, mem_percent, load_class, class_since, sampled_at, source"
      + " FROM node_load WHERE node_id IN (<nodeIds>)")
  List<Row> getAll(@BindList("nodeIds") Collection<Long> nodeIds);

  /**
   * {@link #replace} for many rows in one batch; each count is 0 where another writer won. (The
   * MariaDB driver sends an UPDATE batch pipelined, not as one bulk command, so counts are exact.)
   */
  @SqlBatch("UPDATE node_load SET cpu_percent = :r.cpuPercent, mem_percent = :r.memPercent,"
      + " load_class = :r.loadClass, class_since = :r.classSince, sampled_at = :r.sampledAt, source = :r.source"
      + " WHERE node_id = :r.nodeId AND sampled_at = :seen")
  int[] replaceAll(@BindMethods("r") List<Row> rows, @Bind("seen") List<Instant> seen);

  /** The node's live lease, whose lessee is told about its load. */
  @SqlQuery("SELECT id FROM rentals WHERE live_node_id = :nodeId")
  Optional<Long> liveLease(@Bind("nodeId") long nodeId);

  /** The node's first load; 0 when another heartbeat of the node inserted it first. */
  @SqlUpdate("INSERT IGNORE INTO node_load (node_id, cpu_percent, mem_percent, load_class, class_since, sampled_at,"
      + " source) VALUES (:nodeId, :cpuPercent, :memPercent, :loadClass, :classSince, :sampledAt, :source)")
  int insertFirst(@BindMethods Row row);

  /** Compare-and-set: 0 when another heartbeat of the node was folded in since {@code seen} was read. */
  @SqlUpdate("UPDATE node_load SET cpu_percent = :r.cpuPercent, mem_percent = :r.memPercent,"
      + " load_class = :r.loadClass, class_since = :r.classSince, sampled_at = :r.sampledAt, source = :r.source"
      + " WHERE node_id = :r.nodeId AND sampled_at = :seen")
  int replace(@BindMethods("r") Row row, @Bind("seen") Instant seen);
}

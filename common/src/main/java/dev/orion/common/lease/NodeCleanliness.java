package dev.orion.common.lease;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.List;
import org.jdbi.v3.sqlobject.config.KeyColumn;
import org.jdbi.v3.sqlobject.config.ValueColumn;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlQuery;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;
import org.jdbi.v3.sqlobject.transaction.Transaction;

/**
 * The one way a node leaves a lease and the one way it becomes rentable again, for the API and the
 * schedulers alike. A node is freed dirty: it may still hold the lease's client user, so nobody
 * can rent it until that user is known to be gone ({@link #markClean}).
 *
 * <p>Every freeing or dirtying counts up the node's {@code dirty_epoch} (V7). A cleanup remembers
 * the epoch it started from and marks the node clean only while it is unchanged: a slow deletion
 * that finishes after the node was rented and freed again must not vouch for the later tenant's
 * account being gone.
 */
public interface NodeCleanliness {
  /**
   * Unallocated but unclean; call in the transaction that ends or moves the lease. Returns each
   * node's new epoch, for the cleanup that follows ({@link #markClean}).
   */
  default Map<Long, Long> freeDirty(Collection<Long> nodeIds) {
    if (nodeIds.isEmpty()) {
      return Map.of();
    }
    free(nodeIds);
    return epochs(nodeIds);
  }

  @SqlUpdate("UPDATE nodes SET allocated = FALSE, clean = FALSE, dirty_epoch = dirty_epoch + 1 WHERE id IN (<ids>)")
  void free(@BindList("ids") Collection<Long> nodeIds);

  @SqlQuery("SELECT id, dirty_epoch FROM nodes WHERE id IN (<ids>)")
  @KeyColumn("id")
  @ValueColumn("dirty_epoch")
  Map<Long, Long> epochs(@BindList("ids") Collection<Long> nodeIds);

  /**
   * May hold a client user nobody accounts for, whoever holds it now; a cleanup under way no
   * longer vouches for it.
   */
  @SqlUpdate("UPDATE nodes SET clean = FALSE, dirty_epoch = dirty_epoch + 1 WHERE id = :id")
  void markDirty(@Bind("id") long nodeId);

  /**
   * After every client user was deleted from the node, by a cleanup that started at {@code epoch}.
   * A node allocated or freed again meanwhile is left alone: its later lease owns it, and its own
   * cleanup marks it clean. A node marked clean can be taken at once, so the job of its pool that
   * has waited longest for a worker ({@code Unschedulable}) is made due now, in the same
   * transaction: waiting jobs are woken by the worker that frees, not by polling the pool. Returns
   * 1 when marked.
   */
  @Transaction
  default int markClean(long nodeId, long epoch, Instant now) {
    int marked = setClean(nodeId, epoch);
    if (marked == 1) {
      for (long job : longestWaitingJobs(nodeId, now)) {
        if (wake(job, now) == 1) {
          break;
        }
      }
    }
    return marked;
  }

  @SqlUpdate("UPDATE nodes SET clean = TRUE WHERE id = :id AND allocated = FALSE AND clean = FALSE"
      + " AND dirty_epoch = :epoch")
  int setClean(@Bind("id") long nodeId, @Bind("epoch") long epoch);

  /**
   * The jobs of the node's pool waiting longest for a worker (V60's due index), a few, read
   * without locks; {@link #wake} then takes one by its key. One {@code UPDATE … ORDER BY due_at
   * LIMIT 1} locked every index entry its scan passed while holding the node, and under a burst of
   * attempts ending it deadlocked with their records. Two nodes cleaned at once read the same
   * jobs: the second's wake finds the first's taken and wakes the next.
   */
  @SqlQuery("SELECT id FROM jobs FORCE INDEX (ix_jobs_due) WHERE status = 'pending' AND due_at > :now"
      + " AND reason = 'Unschedulable' AND pool = (SELECT pool FROM nodes WHERE id = :node) ORDER BY due_at LIMIT 4")
  List<Long> longestWaitingJobs(@Bind("node") long nodeId, @Bind("now") Instant now);

  /** Due now, if it still waits for a worker. */
  @SqlUpdate("UPDATE jobs SET due_at = :now WHERE id = :id AND status = 'pending' AND reason = 'Unschedulable'"
      + " AND due_at > :now")
  int wake(@Bind("id") long jobId, @Bind("now") Instant now);
}

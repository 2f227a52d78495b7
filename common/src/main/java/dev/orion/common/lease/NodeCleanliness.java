package dev.orion.common.lease;

import java.util.Collection;
import org.jdbi.v3.sqlobject.customizer.Bind;
import org.jdbi.v3.sqlobject.customizer.BindList;
import org.jdbi.v3.sqlobject.statement.SqlUpdate;

/**
 * The one way a node leaves a lease and the one way it becomes rentable again, for the API and the
 * schedulers alike. A node is freed dirty: it may still hold the lease's client user, so nobody
 * can rent it until that user is known to be gone ({@link #markClean}).
 */
public interface NodeCleanliness {
  /** Unallocated but unclean; call in the transaction that ends or moves the lease. */
  @SqlUpdate("UPDATE nodes SET allocated = FALSE, clean = FALSE WHERE id IN (<ids>)")
  void freeDirty(@BindList("ids") Collection<Long> nodeIds);

  /** May hold a client user nobody accounts for, whoever holds it now. */
  @SqlUpdate("UPDATE nodes SET clean = FALSE WHERE id = :id")
  void markDirty(@Bind("id") long nodeId);

  /**
   * After every client user was deleted from the node. A node allocated meanwhile is left alone:
   * its new lease owns it, and frees it dirty again when it ends.
   */
  @SqlUpdate("UPDATE nodes SET clean = TRUE WHERE id = :id AND allocated = FALSE AND clean = FALSE")
  int markClean(@Bind("id") long nodeId);
}

package dev.orion.scheduler.expiry;

import java.util.List;

/**
 * What ending one due lease involves.
 *
 * @param nodesToFree the lease's node and any node reserved for its migration; they become
 *     unallocated but not clean, so nobody can rent them before their client user is gone
 * @param deleteUser whether the lease's node is alive, so its client user can be deleted now;
 *     otherwise the scrub loop deletes it when the node is back
 */
public record ExpiryPlan(
    DueLease lease, List<Long> nodesToFree, boolean deleteUser, String reason) {}

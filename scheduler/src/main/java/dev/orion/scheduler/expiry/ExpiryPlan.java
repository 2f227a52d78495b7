package dev.orion.scheduler.expiry;

/**
 * What ending one due lease involves (its nodes are freed dirty by the lease store, as its row
 * says: its own and any node a migration reserved for it).
 *
 * @param deleteUser whether the lease's node is alive, so its client user can be deleted now;
 *     otherwise the scrub loop deletes it when the node is back
 */
public record ExpiryPlan(DueLease lease, boolean deleteUser, String reason) {}

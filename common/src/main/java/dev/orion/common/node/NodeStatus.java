package dev.orion.common.node;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A node's health lifecycle, with its one transition table (allocation and cleanliness are
 * separate flags). Every status the health checker writes is checked against it, so an illegal
 * transition fails loudly. V3 mirrors the set as a CHECK constraint; {@code docs/architecture.md}
 * draws the table ({@code LifecycleDiagramTest} keeps them equal).
 */
public enum NodeStatus {
  ALIVE,
  SUSPECT,
  DEAD,
  /** Taken out of service by an operator (in the database; not probed, not rentable). */
  SUSPENDED,
  /**
   * Forgotten by an admin: terminal. The row stays as the history of the leases it held (their
   * host, address and pinned key); the node is hidden from the list, never probed, scrubbed or
   * rented, and its agent is answered 410 Gone. The machine comes back as a new node.
   */
  FORGOTTEN;

  private static final Map<NodeStatus, Set<NodeStatus>> NEXT = Map.of(
      // A failed probe makes it suspect, or dead at once when one failure is enough (K = 1).
      // An admin may forget a node in any state but forgotten (never while it holds a lease).
      ALIVE, EnumSet.of(SUSPECT, DEAD, SUSPENDED, FORGOTTEN),
      SUSPECT, EnumSet.of(ALIVE, DEAD, SUSPENDED, FORGOTTEN),
      // A dead node that answers again is alive (unclean: it is scrubbed before it is rented).
      DEAD, EnumSet.of(ALIVE, SUSPENDED, FORGOTTEN),
      SUSPENDED, EnumSet.of(ALIVE, FORGOTTEN),
      // Terminal: a forgotten machine that comes back enrolls as a new node.
      FORGOTTEN, EnumSet.noneOf(NodeStatus.class));

  /** The name stored in {@code nodes.status}. */
  public String db() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static NodeStatus of(String db) {
    return valueOf(db.toUpperCase(Locale.ROOT));
  }

  public Set<NodeStatus> next() {
    return NEXT.get(this);
  }

  /**
   * Checks a node's change from {@code from} to {@code to}; staying put is always allowed.
   *
   * @throws IllegalStateException when the table does not allow it: a bug, never a user error
   */
  public static void requireTransition(NodeStatus from, NodeStatus to) {
    if (from != to && !from.next().contains(to)) {
      throw new IllegalStateException("illegal node transition " + from.db() + " -> " + to.db());
    }
  }

  public static void requireTransition(String from, String to) {
    requireTransition(of(from), of(to));
  }

  /** Whether the node still takes part in the fleet (every status but forgotten). */
  public boolean live() {
    return this != FORGOTTEN;
  }
}

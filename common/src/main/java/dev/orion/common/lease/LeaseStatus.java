package dev.orion.common.lease;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A lease's lifecycle, with its one transition table. Every lease transition is written by
 * {@link LeaseStore} with its event, and every event is checked against this table before it is written
 * ({@link #requireTransition}), so an illegal transition fails loudly instead of being stored.
 * V3 mirrors the set as a CHECK constraint; {@code docs/architecture.md} draws the table
 * ({@code LifecycleDiagramTest} keeps them equal).
 */
public enum LeaseStatus {
  PROVISIONING,
  ACTIVE,
  MIGRATING,
  ENDED;

  private static final Map<LeaseStatus, Set<LeaseStatus>> NEXT = Map.of(
      // A rent activates its leases, or abandons them (or the rescue ends them) as failed.
      PROVISIONING, EnumSet.of(ACTIVE, ENDED),
      // Its node died; or it is released, expired or reset.
      ACTIVE, EnumSet.of(MIGRATING, ENDED),
      // Moved to another node (or recreated in place); or it ends while waiting.
      MIGRATING, EnumSet.of(ACTIVE, ENDED),
      ENDED, EnumSet.noneOf(LeaseStatus.class));

  /** The name stored in {@code rentals.status}. */
  public String db() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static LeaseStatus of(String db) {
    return valueOf(db.toUpperCase(Locale.ROOT));
  }

  public Set<LeaseStatus> next() {
    return NEXT.get(this);
  }

  public boolean live() {
    return this != ENDED;
  }

  /**
   * Checks a lease's change from {@code from} ({@code null}: the lease is created) to {@code to}.
   * Staying in the same live state is allowed (an event such as "extended" records no transition).
   *
   * @throws IllegalStateException when the table does not allow it: a bug, never a user error
   */
  public static void requireTransition(LeaseStatus from, LeaseStatus to) {
    boolean ok = from == null ? to == PROVISIONING : from == to ? to.live() : from.next().contains(to);
    if (!ok) {
      throw new IllegalStateException("illegal lease transition " + (from == null ? "(new)" : from.db())
          + " -> " + to.db());
    }
  }

  /**
   * Checks a real change of state (not staying put) from {@code from} to {@code to}.
   *
   * @throws IllegalStateException when the table does not allow it: a bug, never a user error
   */
  public static void requireChange(LeaseStatus from, LeaseStatus to) {
    if (!from.next().contains(to)) {
      throw new IllegalStateException("illegal lease transition " + from.db() + " -> " + to.db());
    }
  }

  /** {@link #requireTransition} on stored names. */
  public static void requireTransition(String from, String to) {
    requireTransition(from == null ? null : of(from), of(to));
  }
}

package dev.orion.common.lease;

import java.util.Locale;

/** Why a lease ended ({@code rentals.end_reason}, set exactly when the status is ended; V3). */
public enum EndReason {
  /** By its owner or an admin. */
  RELEASED,
  /** At {@code leased_until}, by a scheduler. */
  EXPIRED,
  /** By an admin's reset of every lease. */
  RESET,
  /** Never became active: provisioning failed, or its API died and the rescue ended it. */
  FAILED;

  public String db() {
    return name().toLowerCase(Locale.ROOT);
  }
}

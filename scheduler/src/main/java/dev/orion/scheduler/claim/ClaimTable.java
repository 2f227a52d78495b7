package dev.orion.scheduler.claim;

/** The tables whose rows carry a claim ({@code claimed_by}, {@code claimed_until}; V2). */
public enum ClaimTable {
  RENTALS("rentals"),
  NODES("nodes"),
  /** One row per pool: its reconciliation (V43). */
  POOL_STATES("pool_states");

  private final String sql;

  ClaimTable(String sql) {
    this.sql = sql;
  }

  /** The table's name, spliced into the claim statements (never anything a caller supplied). */
  public String sql() {
    return sql;
  }
}

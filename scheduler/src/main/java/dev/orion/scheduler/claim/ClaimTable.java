package dev.orion.scheduler.claim;

/** The tables whose rows carry a claim ({@code claimed_by}, {@code claimed_until}; V2). */
public enum ClaimTable {
  RENTALS("rentals"),
  NODES("nodes"),
  /** One row per pool: its reconciliation (V43). */
  POOL_STATES("pool_states"),
  /** One row per cron job: its next fire (V60). */
  SCHEDULED_JOBS("scheduled_jobs"),
  /** One row per job: its next attempt, the attempt it runs, its deletion once finished (V60). */
  JOBS("jobs");

  private final String sql;

  ClaimTable(String sql) {
    this.sql = sql;
  }

  /** The table's name, spliced into the claim statements (never anything a caller supplied). */
  public String sql() {
    return sql;
  }
}

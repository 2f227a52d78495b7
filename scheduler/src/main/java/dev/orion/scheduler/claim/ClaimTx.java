package dev.orion.scheduler.claim;

import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Claim and completion transactions. They run READ COMMITTED: under InnoDB's default REPEATABLE
 * READ a {@code SELECT ... FOR UPDATE} with {@code LIMIT} keeps locks on every row and gap it
 * scanned, which serialises concurrent claimers that {@code SKIP LOCKED} is meant to spread.
 */
public final class ClaimTx {
  private ClaimTx() {}

  public static <R, X extends Exception> R run(Jdbi jdbi, HandleCallback<R, X> work) throws X {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, work::withHandle);
  }
}

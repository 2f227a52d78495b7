package dev.orion.scheduler.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/**
 * The API's extend transaction, statement for statement: lock the lease, refuse unless it is
 * active, not yet over and not claimed by a scheduler, then push {@code leased_until}.
 */
public final class ApiExtend {
  private final Jdbi jdbi;
  private final Clock clock;

  public ApiExtend(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** The new end, or empty where the API answers 409. */
  public Optional<Instant> extend(long rentalId, Duration more) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    return jdbi.inTransaction(h -> {
      Optional<Instant> until = h.createQuery("SELECT leased_until FROM rentals WHERE id = :id"
              + " AND status = 'active' AND leased_until > :now"
              + " AND (claimed_until IS NULL OR claimed_until <= :now) FOR UPDATE")
          .bind("id", rentalId).bind("now", now).mapTo(Instant.class).findOne();
      if (until.isEmpty()) {
        return Optional.empty();
      }
      Instant next = until.get().plus(more);
      h.createUpdate("UPDATE rentals SET leased_until = :u WHERE id = :id")
          .bind("u", next).bind("id", rentalId).execute();
      return Optional.of(next);
    });
  }
}

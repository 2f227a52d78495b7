package dev.orion.scheduler.testing;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;

/** Reads the lease event log: the proof of who did what, and how often. */
public final class EventLog {
  private final Jdbi jdbi;

  public EventLog(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /** Rentals that have more than one event into {@code toStatus}. */
  public List<Long> duplicated(String toStatus) {
    return jdbi.withHandle(h -> h.createQuery("SELECT rental_id FROM rental_events"
            + " WHERE to_status = :s GROUP BY rental_id HAVING COUNT(*) > 1")
        .bind("s", toStatus).mapTo(Long.class).list());
  }

  public long count(String toStatus) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rental_events WHERE to_status = :s")
        .bind("s", toStatus).mapTo(Long.class).one());
  }

  /** Events into {@code toStatus} per actor. */
  public Map<String, Long> byActor(String toStatus) {
    Map<String, Long> out = new TreeMap<>();
    jdbi.useHandle(h -> h.createQuery("SELECT actor, COUNT(*) AS n FROM rental_events"
            + " WHERE to_status = :s GROUP BY actor")
        .bind("s", toStatus)
        .map((rs, ctx) -> Map.entry(rs.getString("actor"), rs.getLong("n")))
        .forEach(e -> out.put(e.getKey(), e.getValue())));
    return out;
  }

  public long liveLeases() {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rentals WHERE status <> 'ended'")
        .mapTo(Long.class).one());
  }
}

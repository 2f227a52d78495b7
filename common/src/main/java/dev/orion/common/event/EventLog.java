package dev.orion.common.event;

import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * The one event log, used by the API and the schedulers alike. Writers {@link #append} inside the
 * transaction that made the change; they take no shared lock, so they never wait for each other.
 * An event becomes readable by id once {@link #publish}ed: publishers, one at a time (the
 * {@code event_sequence} row lock), give committed events the next ids. A reader that publishes and
 * then reads {@code id > lastSeen} therefore never misses an event that committed late.
 */
public final class EventLog {
  /**
   * Events per INSERT: one multi-row statement per transition batch (an expiry batch of 100 is one
   * round trip, not 100), kept well under the server's 65,535 placeholders (13 per event).
   */
  private static final int INSERT_CHUNK = 1000;
  /** Events published per round; a backlog takes several. */
  private static final int PUBLISH_BATCH = 1000;

  private EventLog() {}

  public static void append(Handle h, Event event) {
    append(h, List.of(event));
  }

  public static void append(Handle h, List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    EventDao dao = h.attach(EventDao.class);
    for (int i = 0; i < events.size(); i += INSERT_CHUNK) {
      dao.insert(events.subList(i, Math.min(events.size(), i + INSERT_CHUNK)));
    }
  }

  /** Gives every committed, unpublished event its id, in one or more short transactions; returns how many. */
  public static int publish(Jdbi jdbi) {
    // Every replica's stream reader calls this a few times a second: with nothing to publish it
    // costs one unlocked index read, not a turn at the sequence's row lock.
    if (!jdbi.withExtension(EventDao.class, EventDao::anyUnpublished)) {
      return 0;
    }
    int total = 0;
    while (true) {
      int n = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
        EventDao dao = h.attach(EventDao.class);
        long last = dao.lockSequence();
        List<Long> seqs = dao.unpublished(PUBLISH_BATCH);
        if (seqs.isEmpty()) {
          return 0;
        }
        List<Long> ids = new ArrayList<>(seqs.size());
        for (int i = 1; i <= seqs.size(); i++) {
          ids.add(last + i);
        }
        dao.assign(seqs, ids);
        dao.advance(last + seqs.size());
        return seqs.size();
      });
      total += n;
      if (n < PUBLISH_BATCH) {
        return total;
      }
    }
  }
}

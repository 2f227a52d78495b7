package dev.orion.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.testkit.TestDb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A reader that publishes and then resumes after the last id it saw (as the live event stream
 * will, with Last-Event-ID) misses no event, while many writers commit concurrently and slowly.
 * Reading by the write order ({@code seq}, AUTO_INCREMENT) instead, a later row can commit first
 * and the reader would skip the earlier one for good.
 */
class EventLogTest {
  static final int WRITERS = 8;
  static final int TRANSACTIONS = 25;

  @Test
  void aReaderResumingAfterTheLastIdItSawMissesNothing() throws Exception {
    try (Database db = TestDb.fresh()) {
      AtomicBoolean writing = new AtomicBoolean(true);
      ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
      List<Future<?>> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        long lease = w + 1;
        writers.add(pool.submit(() -> {
          for (int t = 0; t < TRANSACTIONS; t++) {
            db.jdbi().useTransaction(h -> {
              EventLog.append(h, List.of(
                  Event.lease(lease, Instant.now(), "test", null, "provisioning", null, null, "a"),
                  Event.lease(lease, Instant.now(), "test", "provisioning", "ended", null, null, "b")));
              // Commit a little later, as a transaction with more work after its event would.
              Thread.sleep(ThreadLocalRandom.current().nextInt(0, 4));
            });
          }
          return null;
        }));
      }
      TreeSet<Long> seen = new TreeSet<>();
      long last = 0;
      Thread watcher = new Thread(() -> {
        try {
          for (Future<?> f : writers) {
            f.get();
          }
        } catch (Exception e) {
          e.printStackTrace();
        } finally {
          writing.set(false);
        }
      });
      watcher.start();
      while (true) {
        boolean more = writing.get();
        long after = last;
        EventLog.publish(db.jdbi());
        List<Long> batch = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM events WHERE id > :after ORDER BY id")
            .bind("after", after).mapTo(Long.class).list());
        seen.addAll(batch);
        if (!batch.isEmpty()) {
          last = batch.get(batch.size() - 1);
        }
        if (!more) {
          break;
        }
      }
      watcher.join();
      pool.shutdown();
      for (Future<?> f : writers) {
        f.get(); // a writer's failure fails the test
      }
      EventLog.publish(db.jdbi());
      List<Long> all = db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM events ORDER BY id").mapTo(Long.class).list());
      assertEquals(WRITERS * TRANSACTIONS * 2, all.size());
      assertEquals(new TreeSet<>(all), seen, "the resuming reader saw every event");
      assertTrue(all.get(all.size() - 1) == all.size(), "ids are dense: 1.." + all.size());
    }
  }
}

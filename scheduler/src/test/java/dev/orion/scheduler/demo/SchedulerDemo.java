package dev.orion.scheduler.demo;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.EventLog;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * demo_scheduler.sh: 300 due leases, 3 scheduler processes started together on one database.
 * Prints what each process says it ended (its own log) and what the database recorded, and the
 * query proving no lease was handled twice.
 */
public final class SchedulerDemo {
  public static void main(String[] args) throws Exception {
    int leases = args.length > 0 ? Integer.parseInt(args[0]) : 300;
    int instances = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    DbConfig cfg = TestDb.freshConfig(4);
    System.out.println("database: " + cfg.url() + " (embedded MariaDB)");
    List<SchedulerProcess> procs = new ArrayList<>();
    try (Database db = Database.connect(cfg)) {
      Instant now = Instant.now();
      // Leases on dead nodes: ending them needs no SSH, so the demo is about sharing the queue.
      Fleet fleet = new Fleet(db.jdbi(), now);
      fleet.leasedNodes(leases, "dead", now.plus(Duration.ofHours(1)));
      System.out.println("created " + leases + " leases on dead nodes, ending in an hour");
      for (int i = 1; i <= instances; i++) {
        procs.add(SchedulerProcess.start("demo-" + i, cfg, Map.of(
            "ORION_SCHEDULER_LOOPS", "expiry", "ORION_EXPIRY_BATCH", "10", "ORION_EXPIRY_INTERVAL", "50ms")));
      }
      procs.forEach(SchedulerProcess::awaitRunning);
      System.out.println("started " + instances + " schedulers: " + procs.stream()
          .map(p -> p.id() + " (pid " + p.pid() + ")").toList());
      Instant due = Instant.now().minusMillis(1);
      fleet.dueAll(due);
      System.out.println("made all " + leases + " leases due at " + due + " in one UPDATE");
      EventLog events = new EventLog(db.jdbi());
      Await.until("all leases ended", Duration.ofMinutes(3), () -> events.liveLeases() == 0);
      for (SchedulerProcess p : procs) {
        p.close();
      }

      System.out.println();
      System.out.println("per scheduler, from its own log and from the event log:");
      Map<String, Long> byActor = events.byActor("ended");
      long total = 0;
      for (SchedulerProcess p : procs) {
        long logged = p.log().lines().filter(l -> l.contains("->ended (expired)") && !l.contains("skipped")).count();
        long recorded = byActor.getOrDefault("scheduler:" + p.id(), 0L);
        total += recorded;
        System.out.printf("  %-8s log says %3d ended, database says %3d%n", p.id(), logged, recorded);
      }
      System.out.printf("  total    %d of %d leases%n", total, leases);
      System.out.println();
      String sql = "SELECT rental_id, COUNT(*) FROM rental_events WHERE to_status = 'ended'"
          + " GROUP BY rental_id HAVING COUNT(*) > 1";
      List<Long> twice = events.duplicated("ended");
      System.out.println("leases handled twice (" + sql + "): " + (twice.isEmpty() ? "none" : twice));
      Map<String, Object> summary = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) AS ended_events, COUNT(DISTINCT rental_id) AS distinct_leases"
              + " FROM rental_events WHERE to_status = 'ended'").mapToMap().one());
      System.out.println("ended events vs distinct leases: " + summary);
      long live = events.liveLeases();
      System.out.println("leases still live: " + live);
      boolean ok = twice.isEmpty() && total == leases && live == 0;
      System.out.println(ok ? "OK: every lease ended exactly once" : "FAILED");
      System.exit(ok ? 0 : 1);
    } finally {
      for (SchedulerProcess p : procs) {
        p.close();
      }
    }
  }
}

package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.EventLog;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.testkit.TestDb;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/scheduler: 10,000 due expirations that need no SSH (leases on dead nodes), handled by 1, 2
 * and 3 scheduler processes on one embedded MariaDB. The schedulers start idle; the whole queue
 * becomes due in one statement, and the clock runs from that statement to the last lease event.
 */
public final class SchedulerBench {
  static final int WARM_UP = 3000;

  public static void main(String[] args) throws Exception {
    int leases = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    Path report = Path.of(args.length > 1 ? args[1] : "docs/benchmarks.md");
    StringBuilder table = new StringBuilder();
    table.append("| instances | expirations | seconds | per second | shares | duplicates |\n");
    table.append("|---|---|---|---|---|---|\n");
    for (int instances = 1; instances <= 3; instances++) {
      table.append(run(instances, leases)).append('\n');
    }
    String section = "\n## Scheduler: due expirations without SSH (bench/scheduler)\n\n"
        + "- date: " + Instant.now().truncatedTo(ChronoUnit.SECONDS) + "\n"
        + "- machine: " + Machine.describe() + "\n"
        + "- command: `bench/scheduler.sh " + leases + "`\n"
        + "- setup: one embedded MariaDB 11.4 and N scheduler JVMs (expiry loop only, batch 100) on the"
        + " same machine; " + leases + " live leases on dead nodes made due in one UPDATE (after a warm-up"
        + " round of " + WARM_UP + " in the same processes); time from that UPDATE to the last `ended` event. Targets: zero duplicates, >= 2,000/s with 3 instances,"
        + " each share 33% +- 10%.\n\n"
        + table;
    System.out.print(section);
    Files.createDirectories(report.toAbsolutePath().getParent());
    if (!Files.exists(report)) {
      Files.writeString(report, "# Benchmarks\n\nFigures recorded by the scripts under `bench/`.\n");
    }
    Files.writeString(report, section, StandardOpenOption.APPEND);
    System.exit(0);
  }

  static String run(int instances, int leases) throws Exception {
    DbConfig cfg = TestDb.freshConfig(4);
    List<SchedulerProcess> procs = new ArrayList<>();
    try (Database db = Database.connect(cfg)) {
      Instant now = Instant.now();
      Fleet fleet = new Fleet(db.jdbi(), now);
      for (int i = 1; i <= instances; i++) {
        procs.add(SchedulerProcess.start("bench" + i, cfg, Map.of(
            "ORION_SCHEDULER_LOOPS", "expiry", "ORION_EXPIRY_BATCH", System.getProperty("bench.batch", "100"),
            "ORION_EXPIRY_INTERVAL", "20ms", "ORION_DB_POOL_SIZE", "4"),
            List.of("-Xmx512m", SchedulerProcess.deployedOptions(), System.getProperty("bench.expiryLog", "-Dorg.slf4j.simpleLogger.log.dev.orion.scheduler.expiry=warn"))));
      }
      procs.forEach(SchedulerProcess::awaitRunning);
      EventLog events = new EventLog(db.jdbi());
      // Warm-up: the same work on a queue of its own, so the measured round sees compiled code,
      // as a long-running scheduler would.
      Fleet warm = new Fleet(db.jdbi(), now);
      warm.leasedNodes(WARM_UP, "dead", now.minusSeconds(1));
      Await.until("warm-up leases ended", Duration.ofMinutes(10), () -> events.liveLeases() == 0);
      db.jdbi().useHandle(h -> {
        h.execute("DELETE FROM rental_events");
        h.execute("DELETE FROM rentals");
      });
      for (int done = 0; done < leases; done += 1000) {
        fleet.leasedNodes(Math.min(1000, leases - done), "dead", now.plus(Duration.ofHours(1)));
      }
      Thread.sleep(1000); // every instance back in its idle wait before the queue appears
      Instant due = Instant.now().truncatedTo(ChronoUnit.MICROS);
      fleet.dueAll(due.minusMillis(1));
      Await.until("all leases ended", Duration.ofMinutes(10), () -> events.liveLeases() == 0);
      Instant last = db.jdbi().withHandle(h -> h.createQuery(
          "SELECT MAX(at) FROM rental_events WHERE to_status = 'ended'").mapTo(Instant.class).one());
      double seconds = Duration.between(due, last).toNanos() / 1e9;
      Map<String, Long> shares = events.byActor("ended");
      long duplicates = events.duplicated("ended").size();
      StringBuilder s = new StringBuilder();
      for (Map.Entry<String, Long> e : shares.entrySet()) {
        s.append(s.length() == 0 ? "" : ", ").append(e.getKey().replace("scheduler:", ""))
            .append(String.format(Locale.ROOT, " %.1f%%", 100.0 * e.getValue() / leases));
      }
      String row = String.format(Locale.ROOT, "| %d | %d | %.2f | %.0f | %s | %d |",
          instances, events.count("ended"), seconds, leases / seconds, s, duplicates);
      System.out.println(row);
      return row;
    } finally {
      for (SchedulerProcess p : procs) {
        p.close();
      }
    }
  }
}

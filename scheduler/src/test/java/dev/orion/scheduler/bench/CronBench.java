package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.job.JobSpec;
import dev.orion.common.job.JobTemplate;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.testkit.TestDb;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * bench/cron: 1,000 cron jobs ({@code * * * * *}) due in the same minute, fired by 3 scheduler
 * processes (cron loop only, default interval and batch) on one embedded MariaDB. The cron jobs
 * are created as the API creates them (due for a look at once); the schedulers' first look finds
 * nothing due and sets each one's next look to the coming minute. Four minutes are measured: the
 * first fire (cold JVMs), the second and third (the fire path compiled by then, as in a scheduler
 * that has been running), and a fourth with one instance killed with SIGKILL while it holds claims
 * on due cron jobs: they wait for the claim timeout, then the others take them. For each: the lag of every job (its
 * {@code created_at} minus its {@code scheduled_for}), and the fires with more or fewer than one job.
 */
public final class CronBench {
  static final int INSTANCES = 3;
  static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(6);

  public static void main(String[] args) throws Exception {
    int cronJobs = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
    Path report = Path.of(args.length > 1 ? args[1] : "docs/benchmarks.md");
    DbConfig cfg = TestDb.freshConfig(4);
    List<SchedulerProcess> procs = new ArrayList<>();
    StringBuilder table = new StringBuilder();
    table.append("| minute | jobs | fires with 1 job / with 0 / with > 1 | created_at lag p50 / p95 / max |"
        + " committed: half / 95% / all | all within 5 s | jobs per instance |\n|---|---|---|---|---|---|---|\n");
    try (Database db = Database.connect(cfg)) {
      Jdbi jdbi = db.jdbi();
      for (int i = 1; i <= INSTANCES; i++) {
        procs.add(SchedulerProcess.start("cron" + i, cfg, Map.of("ORION_SCHEDULER_LOOPS", "cron",
            "ORION_DB_POOL_SIZE", "4", "ORION_CLAIM_TIMEOUT", CLAIM_TIMEOUT.toSeconds() + "s",
            "ORION_CLAIM_RENEW_INTERVAL", "2s"),
            List.of("-Xmx512m", System.getProperty("bench.cronLog",
                "-Dorg.slf4j.simpleLogger.log.dev.orion.scheduler.job=warn"))));
      }
      procs.forEach(SchedulerProcess::awaitRunning);
      // At least 15 s to the first minute, so the first look at every cron job comes before it.
      Instant first = Instant.now().plusSeconds(15).truncatedTo(ChronoUnit.MINUTES).plus(Duration.ofMinutes(1));
      create(jdbi, cronJobs);
      for (int m = 0; m < 4; m++) {
        Instant minute = first.plus(Duration.ofMinutes(m));
        String label = switch (m) {
          case 0 -> "1st (cold JVMs)";
          case 1 -> "2nd";
          case 2 -> "3rd";
          default -> "4th, one instance killed (SIGKILL) holding %d claims";
        };
        if (m == 3) {
          label = String.format(Locale.ROOT, label, killMidClaim(jdbi, procs.get(0), minute));
        }
        long[] visible = visible(jdbi, minute, cronJobs);
        Await.until("every cron job fired for " + minute, Duration.ofMinutes(3),
            () -> count(jdbi, "SELECT COUNT(*) FROM scheduled_jobs WHERE last_fire_at IS NULL OR last_fire_at < ?",
                minute) == 0);
        String row = row(jdbi, label, minute, cronJobs, visible);
        System.out.println(row);
        table.append(row).append('\n');
      }
    } finally {
      for (SchedulerProcess p : procs) {
        p.close();
      }
    }
    Report.append(report, "Cron jobs: 1,000 due in the same minute, 3 schedulers (bench/cron)",
        "bench/cron.sh " + cronJobs,
        "one embedded MariaDB 11.4 and " + INSTANCES + " scheduler JVMs (cron loop only: ORION_CRON_INTERVAL"
            + " 500 ms, ORION_CRON_BATCH 200, claim timeout " + CLAIM_TIMEOUT.toSeconds() + " s) on the same"
            + " machine; " + cronJobs + " cron jobs `* * * * *` (Allow) created as the API creates them; created_at"
            + " lag = jobs.created_at - jobs.scheduled_for per job (created_at is its round's start); committed ="
            + " when half, 95% and all of the minute's jobs were visible to another connection (polled every 20 ms),"
            + " after the minute; nothing runs the jobs (they stay pending)."
            + " Target: all created within 5 s of their time, each exactly once.",
        table.toString());
    System.exit(0);
  }

  static void create(Jdbi jdbi, int n) {
    String spec = JobTemplate.of(JobSpec.of(List.of("true"), Map.of()), 0, null, null).toJson();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    jdbi.useTransaction(h -> {
      long user = h.createUpdate("INSERT INTO users (username, password_hash, created_at) VALUES ('cronbench',"
          + " 'x', :now)").bind("now", now).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
      PreparedBatch b = h.prepareBatch("INSERT INTO scheduled_jobs (user_id, name, pool, spec, cron, created_at,"
          + " updated_at, next_check_at) VALUES (:user, :name, 'default', :spec, '* * * * *', :now, :now, :now)");
      for (int i = 0; i < n; i++) {
        b.bind("user", user).bind("name", "bench-" + i).bind("spec", spec).bind("now", now).add();
      }
      b.execute();
    });
  }

  /**
   * Polls the committed jobs of {@code minute} until all are there (or 3 minutes): when half, 95%
   * and all of them were visible to another connection, in ms after the minute. created_at is the
   * round's start; this is when the jobs could be seen (and started) by the job queue.
   */
  static long[] visible(Jdbi jdbi, Instant minute, int cronJobs) throws InterruptedException {
    long[] at = {-1, -1, -1};
    long[] need = {(cronJobs + 1) / 2, (long) Math.ceil(cronJobs * 0.95), cronJobs};
    Instant giveUp = minute.plus(Duration.ofMinutes(3));
    while (at[2] < 0 && Instant.now().isBefore(giveUp)) {
      long n = count(jdbi, "SELECT COUNT(*) FROM jobs WHERE scheduled_for = ?", minute);
      long ms = Duration.between(minute, Instant.now()).toMillis();
      for (int i = 0; i < 3; i++) {
        if (at[i] < 0 && n >= need[i]) {
          at[i] = ms;
        }
      }
      Thread.sleep(20);
    }
    return at;
  }

  static String row(Jdbi jdbi, String label, Instant minute, int cronJobs, long[] visible) {
    List<Long> lagMs = jdbi.withHandle(h -> h.createQuery("SELECT TIMESTAMPDIFF(MICROSECOND, scheduled_for,"
        + " created_at) DIV 1000 FROM jobs WHERE scheduled_for = :m").bind("m", minute).mapTo(Long.class).list());
    long once = count(jdbi, "SELECT COUNT(*) FROM (SELECT scheduled_id FROM jobs WHERE scheduled_for = ?"
        + " GROUP BY scheduled_id HAVING COUNT(*) = 1) x", minute);
    long more = count(jdbi, "SELECT COUNT(*) FROM (SELECT scheduled_id FROM jobs WHERE scheduled_for = ?"
        + " GROUP BY scheduled_id HAVING COUNT(*) > 1) x", minute);
    long none = cronJobs - once - more;
    Map<String, Long> shares = new TreeMap<>();
    jdbi.useHandle(h -> h.createQuery("SELECT e.actor, COUNT(*) AS n FROM events e JOIN jobs j ON j.id = e.job_id"
            + " WHERE e.kind = 'job' AND j.scheduled_for = :m GROUP BY e.actor").bind("m", minute)
        .map((rs, ctx) -> Map.entry(rs.getString("actor").replace("scheduler:", ""), rs.getLong("n")))
        .forEach(e -> shares.put(e.getKey(), e.getValue())));
    List<Long> sorted = new ArrayList<>(lagMs);
    java.util.Collections.sort(sorted);
    long max = sorted.isEmpty() ? -1 : sorted.get(sorted.size() - 1);
    return String.format(Locale.ROOT, "| %s (%s) | %d | %d / %d / %d | %d / %d / %d ms | %d / %d / %d ms | %s | %s |",
        label, minute.toString().substring(11, 16) + "Z", lagMs.size(), once, none, more, Report.pick(sorted, 50),
        Report.pick(sorted, 95), max, visible[0], visible[1], visible[2],
        visible[2] >= 0 && visible[2] <= 5000 && none == 0 && more == 0 ? "yes" : "no", shares);
  }

  static long count(Jdbi jdbi, String sql, Object arg) {
    return jdbi.withHandle(h -> h.createQuery(sql).bind(0, arg).mapTo(Long.class).one());
  }

  /** Kills {@code p} once it holds claims on cron jobs after {@code minute} (or after 5 s); returns how many it held. */
  static long killMidClaim(Jdbi jdbi, SchedulerProcess p, Instant minute) throws InterruptedException {
    sleepUntil(minute);
    Instant giveUp = Instant.now().plusSeconds(5);
    long held = 0;
    while (held == 0 && Instant.now().isBefore(giveUp)) {
      held = count(jdbi, "SELECT COUNT(*) FROM scheduled_jobs WHERE claimed_by = '" + p.id() + "' AND claimed_until > ?",
          Instant.now());
    }
    p.kill();
    return held;
  }

  static void sleepUntil(Instant t) throws InterruptedException {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      Thread.sleep(ms);
    }
  }
}

package dev.orion.scheduler.bench;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.worker.JobLaunch;
import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.JobStart;
import dev.orion.common.worker.RunDirs;
import dev.orion.common.worker.SshWorkerOps;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Jobs;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * bench/jobs fleet: short jobs on many sandbox workers through several scheduler processes (real
 * JVMs, so one can be SIGKILLed). Each attempt creates a fresh user and writes a marker of its own
 * ({@code mktemp /var/marks/<token>.XXXXXX}, under /var, which every sandbox worker overlays), so a
 * token with two markers is a double start and a job without one is lost. Three parts: a throughput
 * burst; the time of each phase of an attempt (user creation, start, watch until the exit is seen,
 * cleanup), measured by running those steps on one worker with the schedulers idle, next to the
 * per-attempt split recorded in the database during the burst; a run in which one of the scheduler
 * processes is killed with SIGKILL once a quarter of the jobs are finished.
 */
public final class JobsFleetBench {
  private JobsFleetBench() {}

  public static void main(String[] args) throws Exception {
    int nWorkers = args.length > 0 ? Integer.parseInt(args[0]) : 50;
    int nSchedulers = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int burst = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int killRun = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    Path report = Path.of(args.length > 4 ? args[4] : "docs/benchmarks.md");
    int warmJobs = args.length > 5 && Integer.parseInt(args[5]) > 0 ? Integer.parseInt(args[5]) : Math.max(300, nWorkers * 2);
    String load0 = loadAverage();
    DbConfig cfg = TestDb.freshConfig(16);
    long t = System.nanoTime();
    List<SandboxWorker> workers = SandboxWorker.startMany("jf", nWorkers);
    System.out.printf("[jobs] %d sandbox workers up in %d s%n", nWorkers, (System.nanoTime() - t) / 1_000_000_000L);
    List<SchedulerProcess> procs = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      List<Long> nodes = new ArrayList<>();
      for (SandboxWorker w : workers) {
        nodes.add(reg.register(w));
        w.runInside("install -d -m 1777 /var/marks");
      }
      Map<String, String> env = new HashMap<>(Map.of("ORION_SSH_KEY", TestSsh.adminKey().toString(),
          "ORION_SCHEDULER_LOOPS", "jobs", "ORION_JOB_WORKER_SHARE", "100", "ORION_DB_POOL_SIZE", "8",
          "ORION_CLAIM_TIMEOUT", "5s", "ORION_CLAIM_RENEW_INTERVAL", "1s"));
      for (int i = 0; i < nSchedulers; i++) {
        procs.add(SchedulerProcess.start("jf" + i, cfg, env, List.of(SchedulerProcess.deployedOptions(), "-Xmx384m")));
      }
      procs.forEach(SchedulerProcess::awaitRunning);
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      // Warm: every instance's admin connections opened, the JIT past compiling the job path (a
      // short warm-up left the compiler threads the largest CPU user of a scheduler in the burst).
      List<Long> warm = new ArrayList<>();
      for (int i = 0; i < warmJobs; i++) {
        warm.add(jobs.submit("default", "true", 0, null));
      }
      awaitFinished(db, warm, warm.size(), Duration.ofSeconds(300));

      // 1. Throughput, with the CPU each part of the system spent on it.
      String load1 = loadAverage();
      Map<String, Long> db0 = dbCounters(db);
      Cpu cpu0 = Cpu.read(workers, procs);
      Result tp = run(db, jobs, workers, "t", burst, null);
      Cpu cpu = Cpu.read(workers, procs).minus(cpu0);
      System.out.println("[jobs] throughput: " + tp);
      System.out.println("[jobs] cpu during the burst: " + cpu.row(burst, tp.secs));
      Split split = split(db, tp.ids);
      Map<String, Long> db1 = dbCounters(db);
      String statements = String.format("%.1f statements, %.1f commits, %.1f row-lock waits",
          (db1.get("Questions") - db0.get("Questions")) / (double) burst,
          (db1.get("Com_commit") - db0.get("Com_commit")) / (double) burst,
          (db1.get("Innodb_row_lock_waits") - db0.get("Innodb_row_lock_waits")) / (double) burst);
      System.out.println("[jobs] MariaDB per job: " + statements);

      // 2. Phases on one worker, schedulers idle.
      Phases ph = phases(workers.get(0).endpoint(nodes.get(0)), 40);
      System.out.println("[jobs] phases: " + ph);

      // 3. One scheduler SIGKILLed a quarter of the way through (kill_run 0: skipped).
      String load2 = loadAverage();
      SchedulerProcess victim = procs.get(0);
      Result kr = killRun == 0 ? null : run(db, jobs, workers, "k", killRun, () -> {
        try {
          victim.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return 0;
      });
      System.out.println("[jobs] kill run: " + kr);
      String load3 = loadAverage();

      body.append("| run | jobs | time | jobs/s | succeeded | lost | markers | double starts |\n")
          .append("|---|---|---|---|---|---|---|---|\n")
          .append(tp.row("throughput, " + nSchedulers + " schedulers")).append(kr == null ? "" : kr.row("one of "
              + nSchedulers + " SIGKILLed after " + killRun / 4 + " finished")).append('\n')
          .append(warmJobs).append(" jobs of warm-up before the burst. ")
          .append("Load average: before the workers started ").append(load0).append(", before the burst ").append(load1)
          .append(kr == null ? ", after it " + load2 + " (no kill run: `kill_run` 0)" : ", before the kill run " + load2
              + ", after it " + load3).append(".\n\n")
          .append("Per attempt during the throughput burst (from job_attempts and jobs), p50 / p90 / max ms:\n\n")
          .append("| due → attempt started (claim, placement, user, start) | started → ended (watch, output copied, user"
              + " deleted, end recorded) | due → job finished |\n|---|---|---|\n")
          .append("| ").append(split.dispatch).append(" | ").append(split.run).append(" | ").append(split.total)
          .append(" |\n\n")
          .append("CPU spent during the throughput burst, ms per job (share of the burst's wall time × 2 cores):\n\n")
          .append("| workers (sshd, job executor, steps: cgroups) | scheduler JVMs | MariaDB | bench JVM (inserts, polling)"
              + " | whole machine (all users) |\n|---|---|---|---|---|\n")
          .append(cpu.row(burst, tp.secs)).append("\n\n")
          .append("MariaDB per job during the burst (all clients): ").append(statements).append(".\n\n")
          .append("Each phase of an attempt on one warm worker, run by the bench through the schedulers' own"
              + " worker operations (one admin connection, its resident job executor), schedulers idle, ")
          .append(ph.n).append(" rounds, p50 / p90 / max ms:\n\n")
          .append("| started (user made, run dir, wrapper and steps forked, first look) | watched until the exit is seen"
              + " (polls; none when the start saw it) | run dir and user removed (its processes, home, temp files, passwd and shadow lines)"
              + " |\n|---|---|---|\n")
          .append("| ").append(ph.start).append(" | ").append(ph.watch).append(" | ").append(ph.remove).append(" |\n");
      Report.append(report, "Jobs: throughput on " + nWorkers + " sandbox workers, " + nSchedulers
              + " scheduler processes" + (kr == null ? "" : ", one killed") + " (bench/jobs fleet)",
          "bench/jobs.sh fleet " + nWorkers + " " + nSchedulers + " " + burst + " " + killRun,
          nWorkers + " sandbox workers in pool `default`, one embedded MariaDB, " + nSchedulers
              + " scheduler JVMs (jobs loop only, ORION_JOB_WORKER_SHARE 100, claim timeout 5 s renewed every"
              + " 1 s, other job settings at their defaults), all on this machine. Jobs are inserted as the API"
              + " inserts them, due at once, each running `mktemp /var/marks/<token>.XXXXXX` as a fresh user"
              + " (the marker: one file per start); time = first insert → last job finished. Lost = jobs not"
              + " succeeded or tokens without a marker; double starts = markers beyond one per token.",
          body.toString());
    } finally {
      for (SchedulerProcess p : procs) {
        p.close();
      }
      SandboxWorker.closeAll(workers);
    }
    System.exit(0);
  }

  record Result(List<Long> ids, int n, double secs, long ok, long missing, long markers, long doubles) {
    String row(String name) {
      return String.format(Locale.ROOT, "| %s | %d | %.1f s | %.1f | %d | %d | %d | %d |%n", name, n, secs, n / secs,
          ok, n - ok + missing, markers, doubles);
    }

    @Override
    public String toString() {
      return row("").strip();
    }
  }

  /** Submits n jobs at once, optionally does something once a quarter are finished, awaits them. */
  static Result run(Database db, Jobs jobs, List<SandboxWorker> workers, String prefix, int n, LongSupplier atQuarter)
      throws Exception {
    List<Long> ids = new ArrayList<>();
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      ids.add(jobs.submit("default", "mktemp /var/marks/" + prefix + i + ".XXXXXX >/dev/null", 0, null));
    }
    if (atQuarter != null) {
      awaitFinished(db, ids, n / 4, Duration.ofSeconds(900));
      atQuarter.getAsLong();
      System.out.printf("[jobs] scheduler killed at %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }
    awaitFinished(db, ids, n, Duration.ofSeconds(900));
    double secs = (System.nanoTime() - t0) / 1e9;
    Map<String, Integer> marks = new HashMap<>();
    for (SandboxWorker w : workers) {
      w.runInside("ls /var/marks").lines().filter(l -> l.startsWith(prefix)).forEach(l ->
          marks.merge(l.substring(0, l.indexOf('.')), 1, Integer::sum));
    }
    long markers = marks.values().stream().mapToLong(Integer::longValue).sum();
    long missing = n - marks.size();
    long ok = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE id BETWEEN :a AND :b"
        + " AND status = 'succeeded'").bind("a", ids.get(0)).bind("b", ids.get(n - 1)).mapTo(Long.class).one());
    return new Result(ids, n, secs, ok, missing, markers, markers - marks.size());
  }

  record Split(String dispatch, String run, String total) {}

  static Split split(Database db, List<Long> ids) {
    List<Map<String, Object>> rows = db.jdbi().withHandle(h -> h.createQuery("SELECT"
            + " TIMESTAMPDIFF(MICROSECOND, j.due_at, a.started_at) AS d,"
            + " TIMESTAMPDIFF(MICROSECOND, a.started_at, a.ended_at) AS r,"
            + " TIMESTAMPDIFF(MICROSECOND, j.due_at, a.ended_at) AS t"
            + " FROM jobs j JOIN job_attempts a ON a.job_id = j.id WHERE j.id BETWEEN :a AND :b")
        .bind("a", ids.get(0)).bind("b", ids.get(ids.size() - 1)).mapToMap().list());
    return new Split(pct(rows, "d"), pct(rows, "r"), pct(rows, "t"));
  }

  static String pct(List<Map<String, Object>> rows, String col) {
    List<Long> ms = new ArrayList<>();
    for (Map<String, Object> r : rows) {
      if (r.get(col) != null) {
        ms.add(((Number) r.get(col)).longValue() / 1000);
      }
    }
    return triple(ms);
  }

  static String triple(List<Long> ms) {
    if (ms.isEmpty()) {
      return "-";
    }
    List<Long> s = new ArrayList<>(ms);
    java.util.Collections.sort(s);
    return Report.pick(s, 50) + " / " + Report.pick(s, 90) + " / " + s.get(s.size() - 1);
  }

  record Phases(int n, String start, String watch, String remove) {}

  /** The attempt's worker commands one after another on one worker, as JobLoop runs them, each timed. */
  static Phases phases(WorkerEndpoint w, int n) throws Exception {
    List<Long> start = new ArrayList<>();
    List<Long> watch = new ArrayList<>();
    List<Long> remove = new ArrayList<>();
    try (SshWorkerOps ops = new SshWorkerOps(new WorkerConnections(TestSsh.config()))) {
      ops.probe(w);
      for (int i = 0; i < n; i++) {
        String u = "j_ph" + i;
        String dir = RunDirs.of(900_000_000L + i, 1);
        long a = System.nanoTime();
        JobStart s = ops.startJob(w, new JobLaunch(dir, u, true, List.of(List.of("true")), Map.of()), 65536);
        long b = System.nanoTime();
        JobPoll p = s.look();
        while (p.exitCode() == null) {
          p = ops.pollJob(w, dir, s.pgid(), 0, 65536);
        }
        long c = System.nanoTime();
        ops.removeJob(w, dir, u);
        long d = System.nanoTime();
        start.add((b - a) / 1_000_000);
        watch.add((c - b) / 1_000_000);
        remove.add((d - c) / 1_000_000);
      }
    }
    return new Phases(n, triple(start), triple(watch), triple(remove));
  }

  /** CPU time in ms: the workers' cgroups, the scheduler JVMs, MariaDB, this JVM, the machine. */
  record Cpu(double workers, double schedulers, double db, double bench, double machine) {
    static Cpu read(List<SandboxWorker> workers, List<SchedulerProcess> procs) {
      double w = 0;
      for (SandboxWorker x : workers) {
        w += cgroupMs(x.namespacePid());
      }
      double s = 0;
      for (SchedulerProcess p : procs) {
        s += p.alive() ? procMs(p.pid()) : 0;
      }
      double d = ProcessHandle.current().descendants()
          .filter(h -> h.info().command().map(c -> c.contains("mariadbd") || c.contains("mysqld")).orElse(false))
          .mapToDouble(h -> procMs(h.pid())).sum();
      return new Cpu(w, s, d, procMs(ProcessHandle.current().pid()), machineMs());
    }

    Cpu minus(Cpu o) {
      return new Cpu(workers - o.workers, schedulers - o.schedulers, db - o.db, bench - o.bench, machine - o.machine);
    }

    String row(int jobs, double secs) {
      double wall = secs * 1000 * Runtime.getRuntime().availableProcessors();
      return String.format(Locale.ROOT, "| %.1f (%.0f%%) | %.1f (%.0f%%) | %.1f (%.0f%%) | %.1f (%.0f%%) | %.1f (%.0f%%) |",
          workers / jobs, 100 * workers / wall, schedulers / jobs, 100 * schedulers / wall, db / jobs, 100 * db / wall,
          bench / jobs, 100 * bench / wall, machine / jobs, 100 * machine / wall);
    }

    static double cgroupMs(long pid) {
      try {
        for (String l : java.nio.file.Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
          String[] f = l.split(":", 3);
          if (f.length == 3 && List.of(f[1].split(",")).contains("cpuacct")) {
            return Long.parseLong(java.nio.file.Files.readString(Path.of("/sys/fs/cgroup/cpuacct" + f[2],
                "cpuacct.usage")).strip()) / 1e6;
          }
          if (f.length == 3 && f[0].equals("0") && !f[2].equals("/")) {
            for (String c : java.nio.file.Files.readAllLines(Path.of("/sys/fs/cgroup" + f[2], "cpu.stat"))) {
              if (c.startsWith("usage_usec ")) {
                return Long.parseLong(c.substring(11).strip()) / 1e3;
              }
            }
          }
        }
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
      return 0;
    }

    static double procMs(long pid) {
      try {
        String st = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10.0;
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
    }

    static double machineMs() {
      try {
        String[] f = java.nio.file.Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
        long busy = 0;
        for (int i = 1; i < f.length; i++) {
          if (i != 4 && i != 5) {
            busy += Long.parseLong(f[i]);
          }
        }
        return busy * 10.0;
      } catch (java.io.IOException | RuntimeException e) {
        return 0;
      }
    }
  }

  /**
   * Until {@code count} of the jobs (consecutive ids) finished: one query every 10 ms, so the bench's
   * own polling stays out of the figures (a query per job every 2 ms was ~12 % of the statements).
   */
  static void awaitFinished(Database db, List<Long> ids, int count, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM jobs WHERE id BETWEEN :a AND :b"
        + " AND status IN ('succeeded','failed','cancelled')").bind("a", ids.get(0)).bind("b", ids.get(ids.size() - 1))
        .mapTo(Long.class).one()) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("fewer than " + count + " of jobs " + ids.get(0) + ".." + ids.get(ids.size() - 1)
            + " finished within " + within);
      }
      Thread.sleep(10);
    }
  }

  /** MariaDB's own counters of statements, commits and row-lock waits, all clients together. */
  static Map<String, Long> dbCounters(Database db) {
    return db.jdbi().withHandle(h -> h.createQuery("SHOW GLOBAL STATUS WHERE Variable_name IN"
            + " ('Questions', 'Com_commit', 'Innodb_row_lock_waits')")
        .map((rs, ctx) -> Map.entry(rs.getString(1), Long.parseLong(rs.getString(2)))).list().stream()
        .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
  }

  static String loadAverage() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (java.io.IOException e) {
      return "?";
    }
  }
}

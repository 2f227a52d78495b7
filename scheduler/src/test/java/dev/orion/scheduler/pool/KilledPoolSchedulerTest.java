package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real scheduler process puts a pool of real sandbox workers to sleep and is killed with SIGKILL;
 * another process, which knows nothing of it but the database, wakes exactly the workers the pool
 * suspended (their pinned host keys verified over SSH), and no others. The operator's commands
 * (the {@code command} driver) record what they were asked to do.
 */
class KilledPoolSchedulerTest {
  @TempDir Path dir;

  @Test
  void aSchedulerKilledBetweenSleepAndWakeIsReplacedAndEveryWorkerItSuspendedComesBackAndNoOther()
      throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> sandboxes = SandboxWorker.startMany("nap", 3);
    Path calls = dir.resolve("calls");
    Files.createFile(calls);
    try (Database db = Database.connect(cfg)) {
      db.migrate();
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      long night1 = reg.register(sandboxes.get(0));
      long night2 = reg.register(sandboxes.get(1));
      long day = reg.register(sandboxes.get(2));
      Instant longAgo = Instant.now().minus(Duration.ofDays(1));
      db.jdbi().useHandle(h -> {
        h.execute("UPDATE nodes SET pool = 'night', registered_at = ? WHERE id IN (?, ?)", longAgo, night1, night2);
        h.execute("UPDATE nodes SET pool = 'day', registered_at = ? WHERE id = ?", longAgo, day);
        h.execute("INSERT INTO pools (name, driver, grace_minutes, user_wake_minutes, updated_at)"
            + " VALUES ('night', 'command', 0, 0, ?)", Instant.now());
        h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
            + " VALUES ('night', 'sleep', ?, ?, 'user:admin')", Instant.now(), Instant.now().plus(Duration.ofHours(1)));
      });
      // An operator's own suspension in the same pool: not the pool's to wake.
      long operators = db.jdbi().withHandle(h -> Fleet.nodes(h, 1, "suspended", false)).get(0);
      db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET pool = 'night' WHERE id = ?", operators));

      Map<String, String> env = new HashMap<>();
      env.put("ORION_SCHEDULER_LOOPS", "pool");
      env.put("ORION_SSH_KEY", TestSsh.adminKey().toString());
      env.put("ORION_POOL_INTERVAL", "1s");
      env.put("ORION_POOL_SUSPEND_COMMAND", "echo suspend $NODE_ID >> " + calls);
      env.put("ORION_POOL_RESUME_COMMAND", "echo resume $NODE_ID >> " + calls);
      env.put("ORION_CLAIM_TIMEOUT", "3s");
      env.put("ORION_CLAIM_RENEW_INTERVAL", "1s");

      SchedulerProcess first = SchedulerProcess.start("nap-a", cfg, env);
      try {
        Await.until("the night pool's workers are suspended and stopped", Duration.ofSeconds(90),
            () -> count(db, "SELECT COUNT(*) FROM pool_suspensions WHERE pool = 'night' AND stopped_at IS NOT NULL") == 2,
            first::log);
        first.kill();
      } finally {
        first.close();
      }
      assertEquals(Set.of("suspend " + night1, "suspend " + night2), lines(calls));

      db.jdbi().useHandle(h -> h.execute("INSERT INTO pool_overrides (pool, action, created_at, until, created_by)"
          + " VALUES ('night', 'wake', ?, ?, 'user:admin')", Instant.now(), Instant.now().plus(Duration.ofHours(1))));
      try (SchedulerProcess second = SchedulerProcess.start("nap-b", cfg, env)) {
        Await.until("the night pool is awake again", Duration.ofSeconds(90),
            () -> count(db, "SELECT COUNT(*) FROM nodes WHERE pool = 'night' AND status = 'alive'") == 2,
            second::log);
        Await.until("its restore records are closed", Duration.ofSeconds(30),
            () -> count(db, "SELECT COUNT(*) FROM pool_suspensions WHERE outcome = 'resumed'") == 2, second::log);
      }
      assertEquals(Set.of("suspend " + night1, "suspend " + night2, "resume " + night1, "resume " + night2),
          lines(calls), "exactly the workers the pool suspended, each once");
      assertEquals(4, Files.readAllLines(calls).size());
      assertEquals("suspended", status(db, operators), "not this pool's suspension");
      assertEquals("alive", status(db, day), "another pool is never touched");
      assertEquals(0, count(db, "SELECT COUNT(*) FROM pool_suspensions WHERE resumed_at IS NULL"));
    } finally {
      SandboxWorker.closeAll(sandboxes);
    }
  }

  private static Set<String> lines(Path file) throws java.io.IOException {
    return new TreeSet<>(Files.readAllLines(file));
  }

  private static int count(Database db, String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Integer.class).one());
  }

  private static String status(Database db, long node) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT status FROM nodes WHERE id = :id").bind("id", node)
        .mapTo(String.class).one());
  }
}

package dev.orion.scheduler.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.ClientLogin;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A worker holding a lease dies: the lease moves, and the client logs in with the same password. */
class MigrationTest {
  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("ORION_SSH_KEY", TestSsh.adminKey().toString());
    env.put("ORION_HEALTH_INTERVAL", "200ms");
    env.put("ORION_HEALTH_FAILURES", "3");
    env.put("ORION_HEALTH_PROBE_TIMEOUT", "1s");
    env.put("ORION_MIGRATION_INTERVAL", "100ms");
    env.put("ORION_SCRUB_INTERVAL", "200ms");
    return env;
  }

  @Test
  void leaseOnAKilledWorkerMovesAndTheSameLoginWorksThere() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("mig", 3);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      long[] nodes = new long[3];
      for (int i = 0; i < 3; i++) {
        nodes[i] = reg.register(workers.get(i));
      }
      long rental = reg.lease(workers.get(0), nodes[0], "c_alice", "correct horse 42",
          Instant.now().plus(Duration.ofHours(1)));
      assertEquals("c_alice", ClientLogin.whoami(workers.get(0).ip(), workers.get(0).port(),
          workers.get(0).hostKey(), "c_alice", "correct horse 42"));

      try (Scheduler s = new Scheduler(Instances.config("m1", cfg, env()), db, Clock.systemUTC()).start()) {
        Await.until("every node probed alive", Duration.ofSeconds(30), () -> count(db,
            "SELECT COUNT(*) FROM nodes WHERE status = 'alive' AND last_probe_at IS NOT NULL") == 3);
        workers.get(0).kill();
        Await.until("the lease moved", Duration.ofSeconds(60), () -> count(db,
            "SELECT COUNT(*) FROM rentals WHERE id = " + rental + " AND status = 'active' AND node_id <> "
                + nodes[0]) == 1);
      }

      long newNode = count(db, "SELECT node_id FROM rentals WHERE id = " + rental);
      assertNotEquals(nodes[0], newNode);
      SandboxWorker target = workers.get(newNode == nodes[1] ? 1 : 2);
      assertTrue(target.hasUser("c_alice"), "the login was recreated on the new worker");
      assertEquals("c_alice", ClientLogin.whoami(target.ip(), target.port(), target.hostKey(),
          "c_alice", "correct horse 42"), "same user, same password");

      List<String> trail = db.jdbi().withHandle(h -> h.createQuery("SELECT CONCAT(from_status, '>',"
          + " to_status, ' ', COALESCE(from_node_id, '-'), '>', COALESCE(to_node_id, '-')) FROM rental_events"
          + " WHERE rental_id = :r ORDER BY id").bind("r", rental).mapTo(String.class).list());
      assertEquals(List.of("active>migrating " + nodes[0] + ">-",
          "migrating>active " + nodes[0] + ">" + newNode), trail);
      assertEquals("dead", db.jdbi().withHandle(h -> h.createQuery(
          "SELECT status FROM nodes WHERE id = :n").bind("n", nodes[0]).mapTo(String.class).one()));
      assertEquals(0, count(db, "SELECT allocated + clean FROM nodes WHERE id = " + nodes[0]),
          "the dead node is free but unclean: scrubbed before anyone rents it again");
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  @Test
  void withNoFreeNodeTheLeaseWaitsInMigratingAndMovesWhenOneAppears() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = new java.util.ArrayList<>(SandboxWorker.startMany("wait", 2));
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      long home = reg.register(workers.get(0));
      long busy = reg.register(workers.get(1));
      Instant until = Instant.now().plus(Duration.ofHours(1));
      long rental = reg.lease(workers.get(0), home, "c_bob", "pw-bob-123", until);
      reg.lease(workers.get(1), busy, "c_carol", "pw-carol-123", until); // the only other node is taken

      try (Scheduler s = new Scheduler(Instances.config("m2", cfg, env()), db, Clock.systemUTC()).start()) {
        Await.until("both nodes probed", Duration.ofSeconds(30), () -> count(db,
            "SELECT COUNT(*) FROM nodes WHERE last_probe_at IS NOT NULL") == 2);
        workers.get(0).kill();
        Await.until("the lease waits in migrating", Duration.ofSeconds(60), () -> count(db,
            "SELECT COUNT(*) FROM rentals WHERE id = " + rental + " AND status = 'migrating'") == 1);
        // Several migration rounds find no node; the lease keeps waiting on its dead node.
        Await.until("the migration loop retried", Duration.ofSeconds(30), () -> count(db,
            "SELECT COUNT(*) FROM nodes WHERE id = " + home + " AND probe_failures >= 6") == 1);
        assertEquals("migrating", db.jdbi().withHandle(h -> h.createQuery(
            "SELECT status FROM rentals WHERE id = :r").bind("r", rental).mapTo(String.class).one()));

        SandboxWorker fresh = SandboxWorker.start("wait-new");
        workers.add(fresh);
        long freshNode = reg.register(fresh);
        Await.until("the lease moved to the new node", Duration.ofSeconds(60), () -> count(db,
            "SELECT COUNT(*) FROM rentals WHERE id = " + rental + " AND status = 'active' AND node_id = "
                + freshNode) == 1);
        assertEquals("c_bob", ClientLogin.whoami(fresh.ip(), fresh.port(), fresh.hostKey(), "c_bob", "pw-bob-123"));
      }
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  static long count(Database db, String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }
}

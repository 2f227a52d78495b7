package dev.orion.scheduler.scrub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.PasswordCrypt;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Nothing is left behind on workers: an expired lease's user is deleted with its processes, and a
 * node coming back from the dead is scrubbed of leftover client users before it is rentable.
 */
class CleanupTest {
  static final Map<String, String> ENV = Map.of(
      "ORION_HEALTH_INTERVAL", "200ms", "ORION_HEALTH_PROBE_TIMEOUT", "1s",
      "ORION_SCRUB_INTERVAL", "200ms", "ORION_EXPIRY_INTERVAL", "100ms");

  @Test
  void expiryDeletesTheUserAndAReturningNodeIsScrubbedBeforeItIsRentable() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("clean", 2);
    try (Database db = Database.connect(cfg); WorkerConnections ssh = new WorkerConnections(TestSsh.config())) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      Workers reg = new Workers(db.jdbi(), fleet);
      long leased = reg.register(workers.get(0));
      long returning = reg.register(workers.get(1));
      long rental = reg.lease(workers.get(0), leased, "c_expiring", "pw-expiring-1",
          Instant.now().plus(Duration.ofSeconds(2)));
      String uid = workers.get(0).runInside("id -u c_expiring").strip();
      workers.get(0).runInside("nohup setsid su c_expiring -c 'sleep 600' >/dev/null 2>&1 &");
      Await.until("the client runs something", Duration.ofSeconds(20), () -> {
        try {
          return !workers.get(0).runInside("pgrep -U " + uid + " || true").isBlank();
        } catch (java.io.IOException e) {
          throw new IllegalStateException(e);
        }
      });
      // The second node died holding a lease that migrated away: it comes back with that user,
      // free and unclean. An operator's own account there must survive the scrub.
      ClientAccounts accounts = new ClientAccounts(ssh);
      accounts.create(workers.get(1).endpoint(returning),
          new ClientAccount("c_leftover", PasswordCrypt.sha512("pw-left-1"), null));
      workers.get(1).runInside("useradd -m operator1");
      db.jdbi().useHandle(h -> h.execute(
          "UPDATE nodes SET status = 'dead', allocated = 0, clean = 0 WHERE id = ?", returning));

      Map<String, String> env = new java.util.HashMap<>(ENV);
      env.put("ORION_SSH_KEY", TestSsh.adminKey().toString());
      try (Scheduler s = new Scheduler(Instances.config("c1", cfg, env), db, Clock.systemUTC()).start()) {
        Await.until("the lease expired and its node is clean", Duration.ofSeconds(60), () -> db.jdbi().withHandle(
            h -> h.createQuery("SELECT COUNT(*) FROM nodes n JOIN rentals r ON r.node_id = n.id WHERE r.id = :r"
                + " AND r.status = 'ended' AND n.allocated = 0 AND n.clean = 1")
                .bind("r", rental).mapTo(Integer.class).one()) == 1);
        Await.until("the returning node is alive and clean", Duration.ofSeconds(60), () -> db.jdbi().withHandle(
            h -> h.createQuery("SELECT COUNT(*) FROM nodes WHERE id = :n AND status = 'alive' AND clean = 1")
                .bind("n", returning).mapTo(Integer.class).one()) == 1);
      }
      assertFalse(workers.get(0).hasUser("c_expiring"), "expired lease's user deleted");
      assertEquals("", workers.get(0).runInside("pgrep -U " + uid + " || true").strip(),
          "and its processes with it");
      assertEquals("expired", db.jdbi().withHandle(h -> h.createQuery(
          "SELECT end_reason FROM rentals WHERE id = :r").bind("r", rental).mapTo(String.class).one()));
      assertFalse(workers.get(1).hasUser("c_leftover"), "leftover client user scrubbed");
      assertTrue(workers.get(1).hasUser("operator1"), "a user that is not a client is never touched");
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }
}

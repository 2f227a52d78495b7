package dev.orion.scheduler.rescue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.ssh.HostKeys;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.ApiProcess;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TcpProxy;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An API replica killed in the middle of a rent (its nodes allocated, its leases provisioning, its
 * SSH step still waiting on the workers) strands nothing: the rescue loop ends the leases as
 * failed once they are older than the bound, and scrub makes the nodes rentable again.
 */
class StrandedRentTest {
  static final Duration RESCUE_AFTER = Duration.ofSeconds(5);

  @Test
  void nodesOfARentWhoseApiDiedAreRentableAgainAfterRescueAndScrub() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("strand", 2);
    List<TcpProxy> proxies = new ArrayList<>();
    try (Database db = Database.connect(cfg)) {
      List<Long> nodes = new ArrayList<>();
      for (SandboxWorker w : workers) {
        // The node is registered behind a proxy the test can silence: the rent's SSH step then
        // hangs on the worker, which holds the rent between allocation and activation.
        TcpProxy p = new TcpProxy(w.ip(), w.port());
        proxies.add(p);
        p.silence();
        nodes.add(db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO nodes (hostname, ip, ssh_port, host_key,"
                + " host_key_fingerprint, status, allocated, clean, registered_at, last_seen_at)"
                + " VALUES (:h, '127.0.0.1', :port, :key, :fp, 'alive', 0, 1, :now, :now)")
            .bind("h", w.name()).bind("port", p.port()).bind("key", w.hostKey())
            .bind("fp", HostKeys.fingerprint(w.hostKey())).bind("now", Instant.now())
            .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
      }

      Instant killedAt;
      try (ApiProcess api = ApiProcess.start(cfg, Map.of("ORION_DB_MIGRATE", "false",
          "ORION_SSH_KEY", TestSsh.adminKey().toString(), "ORION_SSH_CONNECT_TIMEOUT", "120s",
          // Its own bound must exceed twice its SSH step (ORION_RESCUE_AFTER is validated by each
          // process); it is killed before that matters. The schedulers rescue after RESCUE_AFTER.
          "ORION_RESCUE_AFTER", "5m"))) {
        String token = api.newUser("strander", "strander-password-1");
        CompletableFuture<?> rent = CompletableFuture.runAsync(() -> {
          try {
            api.post("/api/rent", token, "{\"duration_hours\":1,\"count\":2}");
          } catch (Exception e) {
            // the replica dies under the request: that is the point
          }
        });
        Await.until("the rent holds both nodes, provisioning", Duration.ofSeconds(60),
            () -> count(db, "SELECT COUNT(*) FROM rentals WHERE status = 'provisioning'") == 2, api::log);
        api.kill();
        killedAt = Instant.now();
        rent.join();
      }
      proxies.forEach(TcpProxy::restore);
      assertEquals(2, count(db, "SELECT COUNT(*) FROM nodes WHERE allocated = 1"),
          "the dead replica left its nodes allocated");

      Map<String, String> env = new HashMap<>(Map.of(
          "ORION_SCHEDULER_LOOPS", "rescue,scrub", "ORION_RESCUE_AFTER", RESCUE_AFTER.toSeconds() + "s",
          "ORION_RESCUE_INTERVAL", "200ms", "ORION_SCRUB_INTERVAL", "200ms", "ORION_CLAIM_TIMEOUT", "6s",
          "ORION_SSH_CONNECT_TIMEOUT", "1s", "ORION_SSH_COMMAND_TIMEOUT", "1s", "ORION_HEALTH_PROBE_TIMEOUT", "1s"));
      env.put("ORION_SSH_KEY", TestSsh.adminKey().toString());
      Instant rentable;
      try (Scheduler s = new Scheduler(Instances.config("rescuer", cfg, env), db, Clock.systemUTC()).start()) {
        Await.until("both nodes are rentable again", Duration.ofSeconds(60), () -> count(db,
            "SELECT COUNT(*) FROM nodes WHERE status = 'alive' AND allocated = 0 AND clean = 1") == 2);
        rentable = Instant.now();
      }

      assertEquals(2, count(db, "SELECT COUNT(*) FROM rentals WHERE status = 'ended' AND end_reason = 'failed'"));
      assertEquals(0, count(db, "SELECT COUNT(*) FROM rentals WHERE ended_at < created_at + INTERVAL "
          + RESCUE_AFTER.toSeconds() + " SECOND"), "a lease is rescued only after the bound");
      assertEquals(2, count(db, "SELECT COUNT(*) FROM rental_events WHERE from_status = 'provisioning'"
          + " AND to_status = 'ended' AND actor = 'scheduler:rescuer' AND reason LIKE 'rescued:%'"));
      assertEquals(0, count(db, "SELECT COUNT(*) FROM rentals WHERE status <> 'ended'"));
      System.out.printf("stranded nodes rentable %d ms after the replica was killed (rescue bound %s)%n",
          Duration.between(killedAt, rentable).toMillis(), RESCUE_AFTER);
    } finally {
      proxies.forEach(TcpProxy::close);
      SandboxWorker.closeAll(workers);
    }
  }

  static long count(Database db, String sql) {
    return db.jdbi().withHandle(h -> h.createQuery(sql).mapTo(Long.class).one());
  }
}

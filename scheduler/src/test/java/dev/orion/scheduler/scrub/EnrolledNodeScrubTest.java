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
import dev.orion.scheduler.testing.ApiProcess;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Instances;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A machine that enrolls (for the first time, or again after it was forgotten) may still hold a
 * client user from an earlier life: registered through the real API it starts unclean, nobody can
 * rent it, and the schedulers' scrub deletes that user before it becomes rentable.
 */
class EnrolledNodeScrubTest {
  @Test
  void aNewlyEnrolledNodeIsScrubbedBeforeAnyoneCanRentIt() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    SandboxWorker w = SandboxWorker.start("enrol");
    try (Database db = Database.connect(cfg); WorkerConnections ssh = new WorkerConnections(TestSsh.config())) {
      // A leftover from before: say the machine was leased once, then forgotten before its scrub.
      new ClientAccounts(ssh).create(w.endpoint(0), new ClientAccount("c_previous", PasswordCrypt.sha512("pw-prev-1"),
          null));
      try (ApiProcess api = ApiProcess.start(cfg, Map.of("ORION_DB_MIGRATE", "false",
          "ORION_SSH_KEY", TestSsh.adminKey().toString()))) {
        HttpResponse<String> enrolled = api.post("/api/workers/register", "agent-token-0123456789",
            "{\"hostname\":\"" + w.name() + "\",\"ip\":\"" + w.ip() + "\",\"ssh_port\":" + w.port()
                + ",\"host_key\":\"" + w.hostKey() + "\"}");
        assertEquals(201, enrolled.statusCode(), enrolled.body());
        long node = Long.parseLong(enrolled.body().replaceAll(".*\"node_id\"\\s*:\\s*(\\d+).*", "$1"));
        String token = api.newUser("enroller", "enroller-password-1");
        HttpResponse<String> early = api.post("/api/rent", token, "{\"duration_hours\":1,\"count\":1}");
        assertEquals(409, early.statusCode(), "an unscrubbed node is not rentable: " + early.body());

        Map<String, String> env = new HashMap<>(Map.of("ORION_SCHEDULER_LOOPS", "scrub",
            "ORION_SCRUB_INTERVAL", "200ms", "ORION_SSH_KEY", TestSsh.adminKey().toString()));
        try (Scheduler s = new Scheduler(Instances.config("scrubber", cfg, env), db, Clock.systemUTC()).start()) {
          Await.until("the new node is clean", Duration.ofSeconds(60), () -> db.jdbi().withHandle(h -> h.createQuery(
              "SELECT COUNT(*) FROM nodes WHERE id = :n AND clean = 1").bind("n", node).mapTo(Integer.class).one()) == 1);
        }
        assertFalse(w.hasUser("c_previous"), "the leftover client user was scrubbed");
        HttpResponse<String> rent = api.post("/api/rent", token, "{\"duration_hours\":1,\"count\":1}");
        assertEquals(201, rent.statusCode(), rent.body());
        assertTrue(rent.body().contains("\"node_id\":" + node), rent.body());
      }
    } finally {
      SandboxWorker.closeAll(List.of(w));
    }
  }
}

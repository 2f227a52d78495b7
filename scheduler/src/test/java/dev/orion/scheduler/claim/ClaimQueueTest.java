package dev.orion.scheduler.claim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Await;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.SchedulerProcess;
import dev.orion.scheduler.testing.SlowWorkerSchedulerMain;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import dev.orion.testkit.TestSsh;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The claim queue under the two failures it exists for: work that outlasts the claim timeout (the
 * claim is renewed, nobody takes the work over, it is done once) and a scheduler that stops
 * running while it holds a claim (the claim lapses, another instance does the work, and the
 * stopped one, once resumed, writes nothing). Shown on the scrub queue: its work is remote and its
 * completion (marking a node clean) would be harmful if it were not fenced.
 */
class ClaimQueueTest {
  // Renewed every 400 ms: a renewal may stall 2.6 s (a loaded machine, a pause in the JVM) before the
  // claim lapses under work that is still running.
  static final Duration CLAIM = Duration.ofSeconds(3);

  static Map<String, String> env() {
    Map<String, String> env = new HashMap<>(Map.of(
        "ORION_SCHEDULER_LOOPS", "scrub", "ORION_CLAIM_TIMEOUT", CLAIM.toMillis() + "ms",
        "ORION_CLAIM_RENEW_INTERVAL", "400ms", "ORION_SCRUB_INTERVAL", "100ms",
        "ORION_HEALTH_PROBE_TIMEOUT", "1s"));
    env.put("ORION_SSH_KEY", TestSsh.adminKey().toString());
    return env;
  }

  static long uncleanNode(Database db) {
    return db.jdbi().inTransaction(h -> {
      long node = Fleet.nodes(h, 1, "alive", false).get(0);
      h.execute("UPDATE nodes SET clean = 0 WHERE id = ?", node);
      return node;
    });
  }

  @Test
  void workLongerThanTheClaimTimeoutKeepsItsClaimAndIsDoneOnce() {
    DbConfig cfg = TestDb.freshConfig(8);
    try (Database db = Database.connect(cfg)) {
      long node = uncleanNode(db);
      // Listing and deleting take 4 s each: 8 s of work, over two claim timeouts.
      RecordingWorkerOps slow = new RecordingWorkerOps().leftover(node, "c_left").delay(CLAIM.plusSeconds(1));
      RecordingWorkerOps fast = new RecordingWorkerOps().leftover(node, "c_left");
      try (Scheduler a = new Scheduler(Instances.config("slow", cfg, env()), db, Clock.systemUTC(), slow).start()) {
        Await.until("the slow instance claims the node", Duration.ofSeconds(30),
            () -> "slow".equals(claimedBy(db, node)));
        try (Scheduler b = new Scheduler(Instances.config("eager", cfg, env()), db, Clock.systemUTC(), fast)
            .start()) {
          Await.until("the node is clean", Duration.ofSeconds(60), () -> clean(db, node));
        }
      }
      assertEquals(1, slow.count("list", node), "the slow instance did the work once");
      assertEquals(1, slow.count("delete", node));
      assertEquals(List.of(), fast.calls(), "the other instance never took the work over");
      assertEquals("slow", claimedBy(db, node), "and the completion was the slow instance's");
      assertEquals(java.util.Set.of(), slow.accountsOn(node));
    }
  }

  @Test
  void aPausedSchedulerLosesItsClaimAndCompletesNothingWhenResumed() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    try (Database db = Database.connect(cfg)) {
      long node = uncleanNode(db);
      Map<String, String> envA = new HashMap<>(env());
      envA.put("ORION_TEST_WORKER_DELAY", "3s");
      envA.put("ORION_SCRUB_INTERVAL", "60s"); // one round: the test owns the node after it
      try (SchedulerProcess a = SchedulerProcess.start("paused", cfg, envA,
          List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), SlowWorkerSchedulerMain.class)) {
        Await.until("the instance is inside its work on the node", Duration.ofSeconds(60),
            () -> a.log().contains("WORK STARTED on node " + node), a::log);
        a.pause();
        Await.until("its claim lapsed", Duration.ofSeconds(30), () -> db.jdbi().withHandle(h -> h.createQuery(
                "SELECT COUNT(*) FROM nodes WHERE id = :id AND claimed_until < :now")
            .bind("id", node).bind("now", Instant.now()).mapTo(Integer.class).one()) == 1);

        RecordingWorkerOps heir = new RecordingWorkerOps().leftover(node, "c_leftover");
        try (Scheduler b = new Scheduler(Instances.config("heir", cfg, env()), db, Clock.systemUTC(), heir).start()) {
          Await.until("another instance scrubbed the node", Duration.ofSeconds(30), () -> clean(db, node));
        }
        assertEquals("heir", claimedBy(db, node));
        assertEquals(1, heir.count("delete", node));
        // Later a lease leaves the node dirty again: the paused instance's stale completion, if it
        // were not fenced, would now mark it clean with the new leftover account on it.
        db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET clean = 0 WHERE id = ?", node));

        a.resume();
        Await.until("the resumed instance notices it lost the claim", Duration.ofSeconds(30),
            () -> a.log().contains("completing nothing"), a::log);
        Await.until("and finishes its round", Duration.ofSeconds(30),
            () -> a.log().contains("unclean->clean not recorded"), a::log);
        assertTrue(!clean(db, node), "the resumed instance wrote nothing");
        assertEquals("heir", claimedBy(db, node));
      }
    }
  }

  static String claimedBy(Database db, long node) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT claimed_by FROM nodes WHERE id = :id")
        .bind("id", node).mapTo(String.class).one());
  }

  static boolean clean(Database db, long node) {
    return db.jdbi().withHandle(h -> h.createQuery("SELECT clean FROM nodes WHERE id = :id")
        .bind("id", node).mapTo(Boolean.class).one());
  }
}

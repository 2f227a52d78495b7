package dev.orion.scheduler.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.orion.common.db.Database;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.time.SettableClock;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.testkit.RecordingWorkerOps;
import dev.orion.testkit.TestDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * One health round over many nodes writes each node's own verdict, though a round writes them
 * together (one statement per distinct outcome, every death of the round in one transaction):
 * nodes that die together each get their own transition, event and reason, and only their own
 * leases move to migrating; a node whose claim was taken away during the round gets nothing
 * written and keeps its lease, while the others of the round die. Driven by a settable clock and a
 * worker whose nodes answer or not as the test says (no root, no sshd).
 */
class HealthRoundTest {
  static final Instant T0 = Instant.parse("2026-05-01T12:00:00Z");
  static final Duration INTERVAL = Duration.ofSeconds(1);

  @Test
  void nodesDyingInOneRoundEachGetTheirOwnVerdictAndOnlyTheirLeasesMove() {
    try (Database db = TestDb.fresh()) {
      Jdbi jdbi = db.jdbi();
      Fleet fleet = new Fleet(jdbi, T0);
      // Four leased nodes (three will die, one stays up) and six free ones: three failing of ten
      // is no mass failure.
      List<Long> leases = fleet.leasedNodes(4, "alive", T0.plus(Duration.ofHours(1)));
      List<Long> leased = jdbi.withHandle(h -> h.createQuery("SELECT node_id FROM rentals WHERE id IN (<ids>)"
          + " ORDER BY id").bindList("ids", leases).mapTo(Long.class).list());
      List<Long> free = jdbi.inTransaction(h -> Fleet.nodes(h, 6, "alive", false));
      long dies1 = leased.get(0);
      long dies2 = leased.get(1);
      long taken = leased.get(2); // fails like the others, but its claim is taken away mid-round
      long stays = leased.get(3);
      try (Rig rig = Rig.of(jdbi, "round-test", 2, 4)) {
        SettableClock clock = rig.clock();
        RecordingWorkerOps workers = rig.workers();
        HealthLoop loop = rig.loop();
        assertEquals(10, loop.tick()); // all answer
        List.of(dies1, dies2, taken).forEach(n -> workers.fail(n, WorkerException.Kind.UNREACHABLE));
        clock.advance(INTERVAL);
        assertEquals(10, loop.tick()); // three suspect
        Instant suspectAt = clock.instant();
        clock.advance(INTERVAL);
        workers.onCall(c -> {
          if (c.nodeId() == taken) { // another scheduler took it over (its claim lapsed here, say)
            jdbi.useHandle(h -> h.execute("UPDATE nodes SET claimed_by = 'other', claimed_until = ? WHERE id = ?",
                T0.plus(Duration.ofHours(1)), taken));
          }
        });
        assertEquals(10, loop.tick()); // two die, one is no longer ours
        Instant deadAt = clock.instant();

        Map<Long, Map<String, Object>> row = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT id, status, probe_failures, last_probe_error FROM nodes").mapToMap()
            .forEach(r -> row.put(((Number) r.get("id")).longValue(), r)));
        for (long n : List.of(dies1, dies2)) {
          assertEquals("dead", row.get(n).get("status"), "node " + n);
          assertEquals(2, ((Number) row.get(n).get("probe_failures")).intValue(), "node " + n);
          assertEquals(deadAt, at(jdbi, "status_changed_at", n), "node " + n);
          assertEquals(deadAt.plus(INTERVAL), at(jdbi, "next_check_at", n), "node " + n);
          assertEquals(true, ((String) row.get(n).get("last_probe_error")).contains("node " + n + " "), "node " + n);
        }
        assertEquals("suspect", row.get(taken).get("status"), "the verdict of a node no longer ours is not written");
        assertEquals(1, ((Number) row.get(taken).get("probe_failures")).intValue());
        assertEquals(suspectAt, at(jdbi, "status_changed_at", taken));
        List<Long> up = new ArrayList<>(free);
        up.add(stays);
        for (long n : up) {
          assertEquals("alive", row.get(n).get("status"), "node " + n);
          assertEquals(0, ((Number) row.get(n).get("probe_failures")).intValue(), "node " + n);
          assertNull(at(jdbi, "status_changed_at", n), "never changed: node " + n);
          assertEquals(deadAt.plus(INTERVAL), at(jdbi, "next_check_at", n), "node " + n);
        }

        // Only the dead nodes' leases move, each with a reason naming its own node.
        Map<Long, String> status = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT node_id, status FROM rentals WHERE id IN (<ids>)")
            .bindList("ids", leases).mapToMap()
            .forEach(r -> status.put(((Number) r.get("node_id")).longValue(), (String) r.get("status"))));
        assertEquals(Map.of(dies1, "migrating", dies2, "migrating", taken, "active", stays, "active"), status);
        for (long n : List.of(dies1, dies2)) {
          assertEquals(List.of("active>migrating: node " + n + " dead after 2 failed probes"),
              jdbi.withHandle(h -> h.createQuery("SELECT CONCAT(e.from_status, '>', e.to_status, ': ',"
                      + " SUBSTRING_INDEX(e.reason, ':', 1)) FROM rental_events e JOIN rentals r ON r.id = e.rental_id"
                      + " WHERE r.node_id = :n AND e.actor = 'scheduler:round-test' ORDER BY e.id")
                  .bind("n", n).mapTo(String.class).list()), "node " + n);
        }

        // Each transition is its node's own event; nodes that did not change have none.
        Map<Long, List<String>> events = new HashMap<>();
        jdbi.useHandle(h -> h.createQuery("SELECT node_id, CONCAT(from_status, '>', to_status) AS t FROM events"
                + " WHERE kind = 'node' AND actor = 'scheduler:round-test' ORDER BY seq").mapToMap()
            .forEach(r -> events.computeIfAbsent(((Number) r.get("node_id")).longValue(), k -> new ArrayList<>())
                .add((String) r.get("t"))));
        assertEquals(Map.of(dies1, List.of("alive>suspect", "suspect>dead"),
            dies2, List.of("alive>suspect", "suspect>dead"), taken, List.of("alive>suspect")), events);
      }
    }
  }

  @Test
  void aProbeIsAKeepaliveBetweenShellChecksAndANodeThatFailedProvesItsShellNext() {
    try (Database db = TestDb.fresh()) {
      Jdbi jdbi = db.jdbi();
      List<Long> nodes = jdbi.inTransaction(h -> Fleet.nodes(h, 2, "alive", false));
      long flaky = nodes.get(0);
      long steady = nodes.get(1);
      try (Rig rig = Rig.of(jdbi, "shell-test", 3, 2)) {
        SettableClock clock = rig.clock();
        RecordingWorkerOps workers = rig.workers();
        HealthLoop loop = rig.loop();
        List<String> rounds = new ArrayList<>();
        Runnable round = () -> {
          int before = workers.calls().size();
          assertEquals(2, loop.tick());
          clock.advance(INTERVAL);
          rounds.add(workers.calls().subList(before, workers.calls().size()).stream()
              .sorted(java.util.Comparator.comparing(RecordingWorkerOps.Call::nodeId))
              .map(c -> (c.nodeId() == flaky ? "flaky " : "steady ") + c.op()).toList().toString());
        };
        round.run(); // first seen here: the shell
        round.run(); // keepalives
        workers.fail(flaky, WorkerException.Kind.UNREACHABLE);
        round.run(); // the flaky one's keepalive fails
        workers.recover(flaky);
        round.run(); // it answers again: through its shell, the steady one still by keepalive
        for (int i = 0; i < HealthDecision.SHELL_EVERY - 4; i++) {
          round.run();
        }
        round.run(); // ten intervals after its first shell probe, the steady one's shell again
        assertEquals(List.of("[flaky run, steady run]", "[flaky ping, steady ping]", "[flaky ping, steady ping]",
            "[flaky run, steady ping]"), rounds.subList(0, 4));
        assertEquals("[flaky ping, steady run]", rounds.get(rounds.size() - 1));
      }
    }
  }

  /**
   * One scheduler's health loop over recording workers on a settable clock, probing every
   * {@link #INTERVAL}, a node dead after {@code deadAfter} failures; closing stops its probes.
   */
  private record Rig(SettableClock clock, RecordingWorkerOps workers, ExecutorService probes, HealthLoop loop)
      implements AutoCloseable {
    static Rig of(Jdbi jdbi, String name, int deadAfter, int probeThreads) {
      SettableClock clock = new SettableClock(T0);
      Claimant me = new Claimant(name, Duration.ofSeconds(30), clock);
      RecordingWorkerOps workers = new RecordingWorkerOps();
      ExecutorService probes = Executors.newFixedThreadPool(probeThreads);
      return new Rig(clock, workers, probes, new HealthLoop(jdbi, me, new ClaimRenewer(jdbi, me), 100,
          new HealthPolicy(INTERVAL, deadAfter, Duration.ofSeconds(30), 50, 3, Duration.ofSeconds(10)),
          Duration.ofSeconds(5), workers, probes));
    }

    @Override
    public void close() {
      probes.shutdownNow();
    }
  }


  /** A time column of a node, or null. */
  private static Instant at(Jdbi jdbi, String column, long node) {
    return jdbi.withHandle(h -> h.createQuery("SELECT " + column + " FROM nodes WHERE id = :id").bind("id", node)
        .mapTo(Instant.class).list().get(0));
  }
}

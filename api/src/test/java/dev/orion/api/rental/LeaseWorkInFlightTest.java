package dev.orion.api.rental;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.testkit.Ports;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the API does to a lease a scheduler or another rent is working on right now: a lease being
 * moved by a migration that holds its claim is not released (its reserved node is the
 * migration's), and reset leaves a rent in flight alone only within the rescue bound the
 * schedulers use. The leases are written as the scheduler would have left them; the nodes'
 * workers do not exist (a release's user deletion fails and leaves the node to the scrub).
 */
class LeaseWorkInFlightTest {
  static ApiHarness api;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** A registered node nobody listens for (a closed port: deleting a user there fails at once). */
  static long node() {
    return api.register("gone-" + System.nanoTime(), Ports.free(), TestKeys.ed25519());
  }

  static long userId(String name) {
    return api.db.jdbi().withHandle(h -> h.createQuery("SELECT id FROM users WHERE username = :u")
        .bind("u", name).mapTo(Long.class).one());
  }

  static long lease(String status, long node, Long target, Instant createdAt, Instant claimedUntil) {
    return api.db.jdbi().inTransaction(h -> {
      h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", node);
      if (target != null) {
        h.execute("UPDATE nodes SET allocated = 1 WHERE id = ?", target);
      }
      return h.createUpdate("INSERT INTO rentals (user_id, node_id, target_node_id, client_user, password_crypt,"
              + " status, created_at, leased_until, claimed_by, claimed_until)"
              + " VALUES (:u, :n, :t, 'c_admin', '$6$x$y', :s, :c, :until, :by, :cu)")
          .bind("u", userId(ApiHarness.ADMIN)).bind("n", node).bind("t", target).bind("s", status)
          .bind("c", createdAt).bind("until", Instant.now().plusSeconds(3600))
          .bind("by", claimedUntil == null ? null : "scheduler-a").bind("cu", claimedUntil)
          .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
    });
  }

  static Map<String, Object> row(String sql, long id) {
    return api.db.jdbi().withHandle(h -> h.createQuery(sql).bind("id", id).mapToMap().one());
  }

  @Test
  void aLeaseBeingMovedIsNotReleasedUnderItsMigrationAndItsReservedNodeStaysTheMigrations() {
    String admin = api.adminToken();
    long dead = node();
    long target = node();
    long id = lease("migrating", dead, target, Instant.now(), Instant.now().plusSeconds(20));

    Http.Response busy = api.http.post("/api/release/" + id, admin, null);
    assertEquals(409, busy.status(), busy.body());
    assertTrue(busy.isProblem());
    assertTrue(busy.json().get("detail").asText().contains("being moved"), busy.body());
    assertTrue(Integer.parseInt(busy.header("Retry-After")) >= 1, "Retry-After: " + busy.header("Retry-After"));
    assertEquals("migrating", row("SELECT status FROM rentals WHERE id = :id", id).get("status"));
    assertEquals(true, row("SELECT allocated FROM nodes WHERE id = :id", target).get("allocated"),
        "the node reserved for the move is still the migration's");

    // The scheduler died: its claim lapsed. Now the release ends the lease and frees what its row
    // reserves.
    api.db.jdbi().useHandle(h -> h.execute("UPDATE rentals SET claimed_until = ? WHERE id = ?",
        Instant.now().minusSeconds(1), id));
    Http.Response released = api.http.post("/api/release/" + id, admin, null);
    assertEquals(200, released.status(), released.body());
    assertEquals(Map.of("status", "ended", "end_reason", "released", "target", -1L),
        row("SELECT status, end_reason, COALESCE(target_node_id, -1) AS target FROM rentals WHERE id = :id", id));
    for (long n : new long[] {dead, target}) {
      assertEquals(Map.of("allocated", false, "clean", false),
          row("SELECT allocated, clean FROM nodes WHERE id = :id", n), "node " + n + " freed dirty");
    }
  }

  @Test
  void resetEndsARentProvisioningLongerThanTheRescueBoundAndLeavesAYoungerOneToItsRent() {
    String admin = api.adminToken();
    Instant now = Instant.now();
    // Past ORION_RESCUE_AFTER (2 min): its API died; the schedulers' rescue would end it too.
    long stranded = lease("provisioning", node(), null,
        now.minus(dev.orion.common.lease.RescueBound.DEFAULT).minusSeconds(60), null);
    long inFlight = lease("provisioning", node(), null, now.minusSeconds(30), null);
    long moving = lease("migrating", node(), node(), now, now.plusSeconds(20));

    Http.Response r = api.http.post("/api/reset", admin, null);
    assertEquals(200, r.status(), r.body());
    assertEquals("reset", row("SELECT COALESCE(end_reason, status) AS s FROM rentals WHERE id = :id", stranded)
        .get("s"));
    assertEquals("provisioning", row("SELECT status FROM rentals WHERE id = :id", inFlight).get("status"),
        "a rent in flight finishes or abandons its own leases");
    assertEquals("migrating", row("SELECT status FROM rentals WHERE id = :id", moving).get("status"),
        "a migration in flight owns its lease until it completes or its claim lapses");
    api.db.jdbi().useHandle(h -> h.execute("UPDATE rentals SET status = 'ended', end_reason = 'failed',"
        + " ended_at = ?, claimed_until = NULL WHERE id IN (?, ?)", Instant.now(), inFlight, moving));
  }

  @Test
  void theApiAndTheSchedulersReadTheirRescueBoundFromOneVariable() {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
        "ORION_JWT_SECRET", ApiHarness.JWT_SECRET, "ORION_AGENT_TOKEN", ApiHarness.AGENT_TOKEN,
        "ORION_SSH_KEY", dev.orion.testkit.TestSsh.adminKey().toString(), "ORION_DB_URL", "jdbc:mariadb://x/y",
        "ORION_RESCUE_AFTER", "7m"));
    assertEquals(Duration.ofMinutes(7), dev.orion.api.ApiConfig.from(new dev.orion.common.config.Env(env)).rescueAfter());
    // 2 × (5 s connect + 20 s command) = 50 s: a bound of 40 s could rescue a live rent.
    env.put("ORION_RESCUE_AFTER", "40s");
    dev.orion.common.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.orion.common.config.ConfigException.class,
        () -> dev.orion.api.ApiConfig.from(new dev.orion.common.config.Env(env)));
    assertTrue(e.getMessage().contains("ORION_RESCUE_AFTER"), e.getMessage());
  }
}

package dev.orion.api.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.common.time.SettableClock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rent that finds too few free workers because pools sleep says which and when each wakes. */
class RentWhilePoolSleepsTest {
  static final Instant WEDNESDAY_NIGHT = Instant.parse("2027-01-13T21:00:00Z"); // 22:00 in Paris

  @Test
  void theConflictNamesEachSleepingPoolAndWhenItWakes() {
    SettableClock clock = new SettableClock(WEDNESDAY_NIGHT);
    try (ApiHarness api = ApiHarness.start(clock)) {
      String admin = api.adminToken();
      String user = api.newUser("sleepy");
      for (String pool : new String[] {"batch", "lab", "web"}) {
        Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
            "hostname", "w-" + pool, "ip", "127.0.0.1", "ssh_port", 2400 + pool.length(), "host_key",
            TestKeys.ed25519(), "pool", pool)));
        assertEquals(201, r.status(), r.body());
        api.markScrubbed(r.json().get("node_id").asLong()); // new nodes are rentable once scrubbed
      }
      assertEquals(201, api.http.post("/api/schedules", admin, Http.json(Map.of("pool", "batch",
          "cron_start", "0 8 * * 1-5", "cron_stop", "0 19 * * 1-5", "timezone", "Europe/Paris"))).status());
      assertEquals(202, api.http.post("/api/pools/lab/sleep", admin, Http.json(Map.of("for_minutes", 90))).status());
      // What the schedulers do to sleeping pools: their workers are suspended.
      api.db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET status = 'suspended' WHERE pool IN ('batch', 'lab')"));

      Http.Response rent = api.http.post("/api/rent", user, "{\"duration_hours\":1,\"count\":2}");
      assertEquals(409, rent.status(), rent.body());
      String detail = rent.json().get("detail").asText();
      assertTrue(detail.startsWith("not enough free workers: 2 requested, 1 free; "), detail);
      assertTrue(detail.contains("pool 'batch' sleeps until 2027-01-14T07:00:00Z (08:00 Europe/Paris)"), detail);
      assertTrue(detail.contains("pool 'lab' sleeps until 2027-01-13T22:30:00Z"), detail);
      assertTrue(!detail.contains("'web'"), "an awake pool is not named: " + detail);
      assertEquals(0, (int) api.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rentals")
          .mapTo(Integer.class).one()), "nothing was allocated");
    }
  }
}

package dev.orion.api.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import dev.orion.common.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PoolApiTest {
  static final Instant WEDNESDAY_NIGHT = Instant.parse("2027-01-13T21:00:00Z"); // 22:00 in Paris
  static SettableClock clock;
  static ApiHarness api;
  static String admin;
  static String user;

  @BeforeAll
  static void start() {
    clock = new SettableClock(WEDNESDAY_NIGHT);
    api = ApiHarness.start(clock);
    admin = api.adminToken();
    user = api.newUser("pools");
    for (int i = 1; i <= 3; i++) {
      Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
          "hostname", "w-batch-" + i, "ip", "127.0.0.1", "ssh_port", 2400 + i, "host_key", TestKeys.ed25519(),
          "pool", "batch")));
      assertEquals(201, r.status(), r.body());
    }
    assertEquals(201, api.http.post("/api/schedules", admin, Http.json(Map.of("pool", "batch",
        "cron_start", "0 8 * * 1-5", "cron_stop", "0 19 * * 1-5", "timezone", "Europe/Paris"))).status());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static JsonNode pool(String token, String name) {
    Http.Response r = api.http.get("/api/pools/" + name, token);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  @Test
  void listShowsStateScheduleAndNextTransition() {
    Http.Response r = api.http.get("/api/pools", user);
    assertEquals(200, r.status(), r.body());
    JsonNode batch = null;
    for (JsonNode p : r.json()) {
      if (p.get("pool").asText().equals("batch")) {
        batch = p;
      }
    }
    assertTrue(batch != null, r.body());
    assertEquals("sleep", batch.get("desired").asText(), "22:00 in Paris is off-hours");
    assertEquals(3, batch.get("nodes").get("alive").asInt());
    assertFalse(batch.get("protected").asBoolean());
    assertEquals("wake", batch.get("next_transition").get("action").asText());
    assertEquals("2027-01-14T07:00:00Z", batch.get("next_transition").get("at").asText());
    assertEquals("2027-01-14T08:00:00+01:00", batch.get("next_transition").get("at_local").asText());
    assertEquals(0.0, batch.get("node_hours_saved_7d").asDouble());
    assertTrue(batch.get("settings") == null, "settings are for admins: " + batch);
    JsonNode system = pool(user, ApiHarness.PROTECTED_POOL);
    assertTrue(system.get("protected").asBoolean(), "protected pools are listed even when empty");
    assertEquals("wake", system.get("desired").asText());
    assertTrue(system.get("next_transition").isNull());
  }

  @Test
  void savingsCountSuspendedNodeHoursOfTheLastWeek() {
    api.db.jdbi().useHandle(h -> {
      h.execute("INSERT INTO pool_suspensions (pool, node_id, driver, suspended_at, resumed_at) VALUES"
          + " ('savings', 1, 'none', ?, ?)", WEDNESDAY_NIGHT.minus(Duration.ofDays(8)), WEDNESDAY_NIGHT.minus(Duration.ofDays(7)).plus(Duration.ofHours(2)));
      h.execute("INSERT INTO pool_suspensions (pool, node_id, driver, suspended_at, resumed_at) VALUES"
          + " ('savings', 2, 'none', ?, NULL)", WEDNESDAY_NIGHT.minus(Duration.ofMinutes(90)));
    });
    assertEquals(201, api.http.post("/api/schedules", admin, Http.json(Map.of("pool", "savings",
        "uptime", "Mon-Fri 08:00-19:00"))).status());
    assertEquals(3.5, pool(admin, "savings").get("node_hours_saved_7d").asDouble(), "2 h inside the week + 1.5 h");
  }

  @Test
  void adminsSetHowAPoolSleeps() {
    String before = api.snapshot();
    Http.Response bad = api.http.put("/api/pools/batch", admin, Http.json(Map.of("driver", "magic")));
    assertEquals(400, bad.status());
    assertTrue(bad.json().get("detail").asText().contains("driver"), bad.body());
    for (Map<String, Object> b : List.<Map<String, Object>>of(
        Map.of("grace_period_minutes", -1), Map.of("user_wake_minutes", 100_000),
        Map.of("webhooks", List.of(Map.of("url", "ftp://x", "secret", "0123456789abcdef"))),
        Map.of("webhooks", List.of(Map.of("url", "https://hooks.example/x", "secret", "short"))),
        Map.of("argocd_applications", List.of("Bad App")), Map.of("driver", 3), Map.of("colour", "red"))) {
      Http.Response r = api.http.put("/api/pools/batch", admin, Http.json(b));
      assertEquals(400, r.status(), b + " → " + r.body());
    }
    assertEquals(403, api.http.put("/api/pools/batch", user, Http.json(Map.of("driver", "none"))).status());
    assertEquals(400, api.http.put("/api/pools/Not_A_Pool", admin, Http.json(Map.of())).status());
    assertEquals(before, api.snapshot());

    Http.Response ok = api.http.put("/api/pools/batch", admin, Http.json(Map.of("driver", "sandbox",
        "grace_period_minutes", 5, "user_wake_minutes", 60,
        "webhooks", List.of(Map.of("url", "https://hooks.example/orion", "secret", "0123456789abcdef")),
        "argocd_applications", List.of("shop", "shop-workers"))));
    assertEquals(200, ok.status(), ok.body());
    JsonNode s = ok.json().get("settings");
    assertEquals("sandbox", s.get("driver").asText());
    assertEquals(5, s.get("grace_period_minutes").asInt());
    assertEquals("https://hooks.example/orion", s.get("webhooks").get(0).get("url").asText());
    assertFalse(ok.body().contains("0123456789abcdef"), "the secret is never shown again");
    assertEquals("[\"shop\",\"shop-workers\"]", s.get("argocd_applications").toString());
    assertEquals(60, pool(user, "batch").get("user_wake_minutes").asInt());
  }

  @Test
  void overridesWinOverTheScheduleAndRunOut() {
    api.http.put("/api/pools/night", admin, Http.json(Map.of("user_wake_minutes", 30)));
    assertEquals(201, api.http.post("/api/schedules", admin, Http.json(Map.of("pool", "night",
        "cron_start", "0 8 * * 1-5", "cron_stop", "0 19 * * 1-5", "timezone", "Europe/Paris"))).status());
    String before = api.snapshot();
    assertEquals(403, api.http.post("/api/pools/night/wake", user, Http.json(Map.of("for_minutes", 31))).status(),
        "longer than the pool lets its users");
    assertEquals(403, api.http.post("/api/pools/night/sleep", user, Http.json(Map.of("for_minutes", 5))).status());
    assertEquals(400, api.http.post("/api/pools/night/wake", user, Http.json(Map.of("for_minutes", 0))).status());
    assertEquals(400, api.http.post("/api/pools/night/wake", user, Http.json(Map.of())).status());
    assertEquals(400, api.http.post("/api/pools/night/wake", user, "{\"for_minutes\": \"5\"}").status());
    assertEquals(404, api.http.post("/api/pools/nowhere/wake", admin, Http.json(Map.of("for_minutes", 5))).status());
    assertEquals(404, api.http.post("/api/pools/NO%20POOL/wake", admin, Http.json(Map.of("for_minutes", 5))).status());
    Http.Response guarded = api.http.post("/api/pools/" + ApiHarness.PROTECTED_POOL + "/sleep", admin,
        Http.json(Map.of("for_minutes", 5)));
    assertEquals(400, guarded.status());
    assertTrue(guarded.json().get("detail").asText().contains("protected"), guarded.body());
    assertEquals(401, api.http.post("/api/pools/night/wake", null, Http.json(Map.of("for_minutes", 5))).status());
    assertEquals(before, api.snapshot());

    Http.Response woken = api.http.post("/api/pools/night/wake", user, Http.json(Map.of("for_minutes", 30)));
    assertEquals(202, woken.status(), woken.body());
    JsonNode p = woken.json();
    assertEquals("wake", p.get("desired").asText());
    assertEquals("wake", p.get("overrides").get(0).get("action").asText());
    assertTrue(p.get("overrides").get(0).get("by") == null, "who made it is for admins: " + p);
    assertTrue(pool(admin, "night").get("overrides").get(0).get("by").asText().startsWith("user:pools"));
    assertEquals(409, api.http.post("/api/pools/night/wake", user, Http.json(Map.of("for_minutes", 30))).status(),
        "users do not stack wakes");
    assertEquals("sleep", p.get("next_transition").get("action").asText());
    assertEquals(WEDNESDAY_NIGHT.plus(Duration.ofMinutes(30)).toString(), p.get("next_transition").get("at").asText());

    assertEquals(202, api.http.post("/api/pools/night/sleep", admin, Http.json(Map.of("for_minutes", 10))).status());
    assertEquals("sleep", pool(user, "night").get("desired").asText(), "the newest override wins");
    Http.Response overruled = api.http.post("/api/pools/night/wake", user, Http.json(Map.of("for_minutes", 5)));
    assertEquals(409, overruled.status(), "a user does not overrule an admin's sleep: " + overruled.body());
    clock.advance(Duration.ofMinutes(31));
    try {
      JsonNode later = pool(user, "night");
      assertEquals("sleep", later.get("desired").asText(), "both ran out: the schedule decides again");
      assertEquals(0, later.get("overrides").size());
    } finally {
      clock.set(WEDNESDAY_NIGHT);
    }
  }

  @Test
  void unknownPoolsAreNotFound() {
    assertEquals(404, api.http.get("/api/pools/nowhere", user).status());
    assertEquals(404, api.http.get("/api/pools/Bad!Name", user).status());
    assertEquals(401, api.http.get("/api/pools", null).status());
  }
}

package dev.orion.api.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.api.ApiApp;
import dev.orion.api.Limits;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.common.time.SettableClock;
import dev.orion.testkit.SandboxWorker;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What one account may do: live workers, total lease length, sign-up when closed, and password
 * guessing throttled per account and client address across replicas.
 */
class LimitsTest {
  private static Http.Response rent(ApiHarness api, String token, Map<String, Object> body) {
    return api.http.post("/api/rent", token, Http.json(body));
  }

  @Test
  void concurrentRentsOfOneAccountNeverPassItsLimitAndLeasesCannotOutgrowTheirs() throws Exception {
    Limits limits = Limits.defaults().withMaxLeasedPerUser(2).withMaxLease(Duration.ofHours(2));
    List<SandboxWorker> workers = SandboxWorker.startMany("limit", 5);
    try (ApiHarness api = ApiHarness.start(limits)) {
      workers.forEach(api::register);
      String token = api.newUser("greedy");
      ExecutorService pool = Executors.newFixedThreadPool(6);
      List<Future<Http.Response>> answers = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        answers.add(pool.submit(() -> rent(api, token, Map.of("duration_hours", 1, "count", 1))));
      }
      int created = 0;
      for (Future<Http.Response> f : answers) {
        Http.Response r = f.get();
        assertTrue(r.status() == 201 || r.status() == 409, r.toString());
        if (r.status() == 409) {
          assertTrue(r.json().get("detail").asText().contains("ORION_MAX_LEASED_PER_USER"), r.body());
        }
        created += r.status() == 201 ? 1 : 0;
      }
      pool.shutdown();
      assertEquals(2, created, "two workers free beyond the limit, yet only the limit was leased");
      int live = api.db.jdbi().withHandle(h -> h.createQuery(
          "SELECT COUNT(*) FROM rentals r JOIN users u ON u.id = r.user_id WHERE u.username LIKE 'greedy%'"
              + " AND r.status <> 'ended'").mapTo(Integer.class).one());
      assertEquals(2, live);
      assertEquals(201, rent(api, api.newUser("other"), Map.of("duration_hours", 1, "count", 2)).status(),
          "the limit is per account");

      long rentalId = api.http.get("/api/rentals", token).json().get(0).get("rental_id").asLong();
      String before = api.snapshot();
      Http.Response tooLong = api.http.post("/api/extend/" + rentalId, token, Http.json(Map.of("additional_hours", 1.5)));
      assertEquals(409, tooLong.status(), "1 h + 1.5 h is past ORION_MAX_LEASE_HOURS=2: " + tooLong);
      assertTrue(tooLong.isProblem());
      assertEquals(before, api.snapshot());
      assertEquals(200, api.http.post("/api/extend/" + rentalId, token,
          Http.json(Map.of("additional_hours", 0.5))).status());
      assertEquals(409, api.http.post("/api/extend/" + rentalId, token,
          Http.json(Map.of("additional_hours", 0.6))).status(), "extensions add up");
      String rentBefore = api.snapshot();
      Http.Response longRent = rent(api, api.newUser("long"), Map.of("duration_hours", 3));
      assertEquals(400, longRent.status(), longRent.toString());
      assertEquals(rentBefore.replaceAll("users=\\d+;", ""), api.snapshot().replaceAll("users=\\d+;", ""));
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  @Test
  void closedSignupIsA403AndChangesNothing() {
    try (ApiHarness api = ApiHarness.start(Limits.defaults().withSignupOpen(false))) {
      String before = api.snapshot();
      Http.Response r = api.http.post("/api/signup", null, Http.json(Map.of("username", "newbie", "password", "password-1")));
      assertEquals(403, r.status(), r.toString());
      assertTrue(r.isProblem());
      assertEquals(before, api.snapshot());
      api.adminToken(); // existing accounts still log in
    }
  }

  private static Http.Response login(Http http, String from, String user, String password) {
    HttpRequest.Builder b = http.builder("/api/login", null).header("Content-Type", "application/json")
        .header("X-Forwarded-For", from)
        .POST(HttpRequest.BodyPublishers.ofString(Http.json(Map.of("username", user, "password", password))));
    return http.send(b);
  }

  @Test
  void passwordGuessingIsThrottledPerAccountAndAddressOnEveryReplica() {
    SettableClock clock = new SettableClock(Instant.now());
    try (ApiHarness api = ApiHarness.start(clock, Limits.defaults())) {
      api.http.post("/api/signup", null, Http.json(Map.of("username", "target", "password", "right-password")));
      ApiApp second = api.replica();
      try {
        Http[] replicas = {api.http, new Http("http://127.0.0.1:" + second.port())};
        String attacker = "203.0.113.66";
        // Successes never count: the owner logging in from the attacker's address too.
        for (int i = 0; i < 4; i++) {
          assertEquals(401, login(replicas[i % 2], attacker, "target", "guess-" + i).status());
        }
        assertEquals(200, login(replicas[0], attacker, "target", "right-password").status());
        // Five failures spread over both replicas, from one address.
        for (int i = 0; i < 5; i++) {
          assertEquals(401, login(replicas[i % 2], attacker, "target", "guess-" + i).status());
        }
        long[] expected = {1, 2, 4, 8, 16, 32, 60, 60};
        for (long wait : expected) {
          for (Http replica : replicas) {
            Http.Response r = login(replica, attacker, "target", "right-password");
            assertEquals(429, r.status(), "even the right password waits: " + r);
            assertTrue(r.isProblem());
            assertEquals(Long.toString(wait), r.headers().firstValue("Retry-After").orElse(""), r.toString());
          }
          // The real owner from elsewhere is not locked out.
          assertEquals(200, login(replicas[1], "198.51.100.7", "target", "right-password").status());
          clock.advance(Duration.ofSeconds(wait));
          assertEquals(401, login(replicas[0], attacker, "target", "guess-again").status());
        }
        // A window later the count starts over.
        clock.advance(Duration.ofMinutes(16));
        assertEquals(401, login(replicas[1], attacker, "target", "fresh-guess").status());
        assertEquals(200, login(replicas[0], attacker, "target", "right-password").status());
      } finally {
        second.close();
      }
    }
  }
}

package dev.orion.api.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.common.time.SettableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ScheduleApiTest {
  static final Instant WEDNESDAY_NOON_UTC = Instant.parse("2027-01-13T12:00:00Z");
  static SettableClock clock;
  static ApiHarness api;
  static String admin;
  static String user;

  @BeforeAll
  static void start() {
    clock = new SettableClock(WEDNESDAY_NOON_UTC);
    api = ApiHarness.start(clock);
    admin = api.adminToken();
    user = api.newUser("sched");
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static Http.Response create(String path, Map<String, Object> body) {
    return api.http.post(path, admin, Http.json(body));
  }

  @Test
  void createShowsTheNextFiveTransitionsInBothClocks() {
    Http.Response r = create("/api/schedules", Map.of("name", "office", "pool", "office",
        "cron_start", " 0  8 * * 1-5 ", "cron_stop", "0 19 * * 1-5", "timezone", "Europe/Paris"));
    assertEquals(201, r.status(), r.body());
    JsonNode s = r.json();
    assertEquals("0 8 * * 1-5", s.get("cron_start").asText(), "expressions are stored cleaned");
    assertEquals("SCHEDULED", s.get("status").asText());
    assertTrue(s.get("active").asBoolean());
    JsonNode next = s.get("next_transitions");
    assertEquals(5, next.size());
    assertEquals("sleep", next.get(0).get("action").asText());
    assertEquals("2027-01-13T18:00:00Z", next.get(0).get("at").asText());
    assertEquals("2027-01-13T19:00:00+01:00", next.get(0).get("at_local").asText());
    assertEquals("wake", next.get(1).get("action").asText());
    assertEquals("2027-01-14T07:00:00Z", next.get(1).get("at").asText());

    long id = s.get("id").asLong();
    assertEquals(s, api.http.get("/api/schedules/" + id, user).json(), "every signed-in user reads");
    assertEquals(s, api.http.get("/api/schedule/office", user).json(), "the workload scheduler's path");
    assertTrue(api.http.get("/api/schedules", user).json().findValues("id").stream()
        .anyMatch(v -> v.asLong() == id));
  }

  @Test
  void onePoolOneSchedule() {
    assertEquals(201, create("/api/schedules", Map.of("pool", "solo", "cron_start", "0 8 * * *",
        "cron_stop", "0 18 * * *")).status());
    String before = api.snapshot();
    Http.Response again = create("/api/schedule", Map.of("uid", "solo", "cron_start", "0 9 * * *",
        "cron_stop", "0 17 * * *"));
    assertEquals(409, again.status(), again.body());
    assertTrue(again.isProblem());
    assertTrue(again.json().get("detail").asText().contains("PUT /api/schedules/"), again.body());
    assertEquals(before, api.snapshot());
  }

  @Test
  void workingHoursWithHolidays() {
    Http.Response r = create("/api/schedules", Map.of("pool", "hours", "uptime", "Mon-Fri  08:00-19:00 ,Sat 10:00-14:00",
        "holidays", List.of("2027-01-15", "2027-01-14"), "timezone", "Europe/Paris"));
    assertEquals(201, r.status(), r.body());
    JsonNode s = r.json();
    assertEquals("Mon-Fri 08:00-19:00, Sat 10:00-14:00", s.get("uptime").asText());
    assertEquals("[\"2027-01-14\",\"2027-01-15\"]", s.get("holidays").toString());
    JsonNode next = s.get("next_transitions");
    assertEquals("2027-01-13T18:00:00Z", next.get(0).get("at").asText());
    assertEquals("2027-01-16T09:00:00Z", next.get(1).get("at").asText(), "Thursday and Friday are holidays");
    assertTrue(s.get("cron_start").isNull());
  }

  @Test
  void replaceRemoveCronsAndDelete() {
    long id = create("/api/schedules", Map.of("pool", "cycle", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"))
        .json().get("id").asLong();
    clock.advance(Duration.ofMinutes(1));
    Http.Response put = api.http.put("/api/schedules/" + id, admin, Http.json(Map.of("pool", "cycle",
        "uptime", "Mon-Sun 09:00-17:00", "active", false)));
    assertEquals(200, put.status(), put.body());
    assertEquals("Mon-Sun 09:00-17:00", put.json().get("uptime").asText());
    assertTrue(put.json().get("cron_start").isNull());
    assertEquals(0, put.json().get("next_transitions").size(), "an inactive schedule does nothing");
    assertEquals(WEDNESDAY_NOON_UTC.plus(Duration.ofMinutes(1)).toString(), put.json().get("last_update").asText());

    Http.Response removed = api.http.put("/api/schedule/cycle/remove-crons", admin, null);
    assertEquals(200, removed.status(), removed.body());
    assertEquals("NOT_SCHEDULED", removed.json().get("status").asText());
    assertTrue(removed.json().get("uptime").isNull());
    assertEquals(200, api.http.put("/api/schedules/" + id + "/remove-crons", admin, null).status());

    assertEquals(204, api.http.delete("/api/schedules/" + id, admin).status());
    assertEquals(404, api.http.get("/api/schedules/" + id, admin).status());
    assertEquals(404, api.http.get("/api/schedule/cycle", admin).status());
    assertEquals(404, api.http.delete("/api/schedules/" + id, admin).status());
  }

  @Test
  void replacingOntoAPoolWithAScheduleConflicts() {
    create("/api/schedules", Map.of("pool", "left", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"));
    long right = create("/api/schedules", Map.of("pool", "right", "cron_start", "0 8 * * *",
        "cron_stop", "0 18 * * *")).json().get("id").asLong();
    String before = api.snapshot();
    assertEquals(409, api.http.put("/api/schedules/" + right, admin, Http.json(Map.of("pool", "left",
        "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"))).status());
    assertEquals(404, api.http.put("/api/schedules/999999", admin, Http.json(Map.of("pool", "nowhere",
        "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"))).status());
    assertEquals(before, api.snapshot());
  }

  @Test
  void writesAreForAdminsOnly() {
    long id = create("/api/schedules", Map.of("pool", "guarded", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"))
        .json().get("id").asLong();
    String before = api.snapshot();
    String body = Http.json(Map.of("pool", "guarded2", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"));
    assertEquals(403, api.http.post("/api/schedules", user, body).status());
    assertEquals(403, api.http.post("/api/schedule", user, body).status());
    assertEquals(403, api.http.put("/api/schedules/" + id, user, body).status());
    assertEquals(403, api.http.delete("/api/schedules/" + id, user).status());
    assertEquals(403, api.http.put("/api/schedules/" + id + "/remove-crons", user, null).status());
    assertEquals(403, api.http.put("/api/schedule/guarded/remove-crons", user, null).status());
    assertEquals(401, api.http.post("/api/schedules", null, body).status());
    assertEquals(401, api.http.get("/api/schedules", null).status());
    assertEquals(before, api.snapshot());
  }

  @Test
  void badSchedulesAreRefusedNamingTheFieldAndChangeNothing() {
    List<Object[]> cases = new ArrayList<>();
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 25 * * *", "cron_stop", "0 18 * * *"), "cron_start"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 8 * * *", "cron_stop", "0 8 * *"), "cron_stop"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 8 * * *"), "cron_stop"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *",
        "uptime", "Mon-Fri 08:00-19:00"), "not both"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *",
        "timezone", "Mars/Olympus"), "timezone"});
    cases.add(new Object[] {Map.of("pool", "bad", "uptime", "Mon-Fri 19:00-08:00"), "uptime"});
    cases.add(new Object[] {Map.of("pool", "bad", "uptime", "Mon-Fri 08:00-19:00", "holidays", List.of("tomorrow")),
        "holidays"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *",
        "holidays", List.of("2027-01-01")), "holidays"});
    cases.add(new Object[] {Map.of("pool", "bad"), "uptime"});
    cases.add(new Object[] {Map.of("pool", ApiHarness.PROTECTED_POOL, "cron_start", "0 8 * * *",
        "cron_stop", "0 18 * * *"), "protected"});
    cases.add(new Object[] {Map.of("pool", "one", "uid", "two", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"),
        "uid"});
    cases.add(new Object[] {Map.of("pool", "Bad Pool", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"), "pool"});
    cases.add(new Object[] {Map.of("cron_start", "0 8 * * *", "cron_stop", "0 18 * * *"), "pool"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", 8, "cron_stop", "0 18 * * *"), "cron_start"});
    cases.add(new Object[] {Map.of("pool", "bad", "cron_start", "0 8 * * *", "cron_stop", "0 18 * * *",
        "colour", "red"), "colour"});
    cases.add(new Object[] {Map.of("pool", "bad", "name", "a\u0000b", "cron_start", "0 8 * * *",
        "cron_stop", "0 18 * * *"), "name"});
    String before = api.snapshot();
    for (Object[] c : cases) {
      Http.Response r = create("/api/schedules", castMap(c[0]));
      assertEquals(400, r.status(), c[0] + " → " + r.body());
      assertTrue(r.isProblem(), r.toString());
      assertTrue(r.json().get("detail").asText().contains((String) c[1]), c[0] + " → " + r.body());
    }
    for (String raw : new String[] {"", "{", "[]", "null", "{\"pool\": [1]}"}) {
      Http.Response r = api.http.post("/api/schedules", admin, raw);
      assertEquals(400, r.status(), raw + " → " + r.body());
    }
    assertEquals(before, api.snapshot());
    assertEquals(404, api.http.get("/api/schedules/abc", admin).status());
    assertEquals(404, api.http.get("/api/schedules/-1", admin).status());
    assertEquals(404, api.http.get("/api/schedule/NOT_A_POOL", admin).status());
    Http.Response shown = create("/api/schedules", Map.of("pool", "bad", "cron_start", "0 8 * * *",
        "cron_stop", "nope"));
    assertTrue(shown.json().get("detail").asText().contains("minute hour day-of-month month day-of-week"),
        "the expected form is shown: " + shown.body());
    assertNotEquals(201, shown.status());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> castMap(Object o) {
    return (Map<String, Object>) o;
  }
}

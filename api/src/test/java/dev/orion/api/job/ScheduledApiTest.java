package dev.orion.api.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Cron jobs over HTTP on a real API and database, with no scheduler: create, read, replace and
 * delete with what each writes (the schedule's row, its events, its jobs cancelled or kept), the
 * SimpleJob body with a cron, and bodies refused with 400 and no change.
 */
class ScheduledApiTest {
  static ApiHarness api;
  static String alice;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    alice = api.newUser("alice");
    api.register("cron-node-1", 2201, TestKeys.ed25519());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void cronJobsCreateReadReplaceDelete() {
    Http.Response created = api.http.post("/api/scheduled", alice, Http.json(Map.of("name", "report", "pool", "default",
        "command", List.of("date"), "cron", "30 2 * * *", "timezone", "America/New_York",
        "concurrency_policy", "Forbid", "max_retries", 1)));
    assertEquals(201, created.status(), created.toString());
    JsonNode s = created.json();
    long id = s.get("scheduled_id").asLong();
    assertEquals("30 2 * * *", s.get("cron").asText());
    assertEquals("America/New_York", s.get("timezone").asText());
    assertEquals("Forbid", s.get("concurrency_policy").asText());
    assertEquals(3, s.get("successful_jobs_history_limit").asInt());
    assertEquals(1, s.get("failed_jobs_history_limit").asInt());
    assertEquals(1, s.get("max_retries").asInt());
    assertFalse(s.get("suspend").asBoolean());
    JsonNode runs = s.get("next_runs");
    assertEquals(5, runs.size());
    for (JsonNode run : runs) {
      Instant at = Instant.parse(run.get("at").asText());
      assertEquals(at, java.time.OffsetDateTime.parse(run.get("at_local").asText()).toInstant());
      assertTrue(run.get("at_local").asText().startsWith(at.atZone(java.time.ZoneId.of("America/New_York"))
          .toLocalDate().toString()));
    }
    Instant due = api.db.jdbi().withHandle(h -> h.createQuery("SELECT next_check_at FROM scheduled_jobs WHERE id = :id")
        .bind("id", id).mapTo(Instant.class).one());
    assertFalse(due.isAfter(Instant.now()), "a scheduler looks at it at once");
    String spec = api.db.jdbi().withHandle(h -> h.createQuery("SELECT spec FROM scheduled_jobs WHERE id = :id")
        .bind("id", id).mapTo(String.class).one());
    assertEquals(1, dev.orion.common.job.JobTemplate.fromJson(spec).maxRetries());

    JsonNode list = api.http.get("/api/scheduled", alice).json();
    assertTrue(list.isArray());
    assertTrue(list.toString().contains("\"scheduled_id\":" + id));

    Http.Response replaced = api.http.put("/api/scheduled/" + id, alice, Http.json(Map.of("name", "report",
        "namespace", "default", "containers", List.of(Map.of("name", "r", "command", List.of("date", "-u"))),
        "cron", "*/15 * * * *", "suspend", true)));
    assertEquals(200, replaced.status(), replaced.toString());
    assertEquals("*/15 * * * *", replaced.json().get("cron").asText());
    assertEquals("UTC", replaced.json().get("timezone").asText());
    assertEquals(0, replaced.json().get("next_runs").size(), "a suspended cron job does not fire");
    String before = api.snapshot();
    assertEquals(400, api.http.put("/api/scheduled/" + id, alice, Http.json(Map.of("name", "renamed", "pool", "default",
        "command", List.of("date"), "cron", "0 * * * *"))).status());
    for (String bad : new String[] {
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"]}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 25 * * *\"}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * * *\"}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * *\",\"timezone\":\"Mars/Base\"}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * *\",\"concurrency_policy\":\"allow\"}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * *\",\"starting_deadline_seconds\":0}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * *\",\"failed_jobs_history_limit\":101}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * *\",\"suspend\":\"yes\"}",
        "{\"name\":\"c\",\"pool\":\"default\",\"command\":[\"date\"],\"cron\":\"0 * * * *\",\"rental_id\":1}",
        "{\"name\":\"c\",\"pool\":\"nowhere\",\"command\":[\"date\"],\"cron\":\"0 * * * *\"}",
    }) {
      Http.Response r = api.http.post("/api/scheduled", alice, bad);
      assertEquals(400, r.status(), bad + " -> " + r);
      assertTrue(r.isProblem());
      assertEquals(400, api.http.put("/api/scheduled/" + id, alice, bad).status(), bad);
    }
    assertEquals(before, api.snapshot(), "refused writes change nothing");

    // Its jobs, as a scheduler would have created them: one finished, one pending, one running.
    long uid = api.userId(alice);
    long done = insertJobOf(uid, id, "succeeded", "2026-01-01T03:00:00Z");
    long waiting = insertJobOf(uid, id, "pending", "2026-01-02T03:00:00Z");
    long running = insertJobOf(uid, id, "running", "2026-01-03T03:00:00Z");
    JsonNode jobs = api.http.get("/api/scheduled/" + id + "/jobs", alice).json();
    assertEquals(List.of(running, waiting, done), JobApiTest.ids(jobs));
    assertEquals(id, jobs.get(0).get("scheduled_id").asLong());
    assertEquals(id, api.http.get("/api/jobs/" + done, alice).json().get("scheduled_id").asLong());

    Http.Response deleted = api.http.delete("/api/scheduled/" + id, alice);
    assertEquals(200, deleted.status(), deleted.toString());
    assertEquals(404, api.http.get("/api/scheduled/" + id, alice).status());
    assertEquals(404, api.http.get("/api/jobs/" + done, alice).status(), "finished jobs go with it");
    assertEquals("cancelled", api.http.get("/api/jobs/" + waiting, alice).json().get("status").asText());
    JsonNode stillRunning = api.http.get("/api/jobs/" + running, alice).json();
    assertEquals("running", stillRunning.get("status").asText());
    assertTrue(stillRunning.get("cancel_requested").asBoolean());
    List<String> events = api.db.jdbi().withHandle(h -> h.createQuery("SELECT to_status FROM events"
        + " WHERE scheduled_id = :id AND kind = 'schedule' ORDER BY seq").bind("id", id).mapTo(String.class).list());
    assertEquals(List.of("active", "suspended", "deleted"), events);
  }

  static long insertJobOf(long userId, long scheduledId, String status, String scheduledFor) {
    return api.db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO jobs (user_id, name, pool, scheduled_id,"
            + " scheduled_for, spec, status, created_at, due_at, finished_at) VALUES (:u, :name, 'default', :s, :for,"
            + " :spec, :status, :now, :now, :fin)")
        .bind("u", userId).bind("name", "report-" + Instant.parse(scheduledFor).getEpochSecond() / 60)
        .bind("s", scheduledId).bind("for", Instant.parse(scheduledFor))
        .bind("spec", dev.orion.common.job.JobSpec.of(List.of("date"), Map.of()).toJson()).bind("status", status)
        .bind("now", Instant.now()).bind("fin", status.equals("succeeded") ? Instant.now() : null)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  @Test
  void aSimpleJobWithCronIsACronJob() {
    Http.Response r = api.http.post("/api/scheduled", alice, "{\"name\":\"pi-cron\",\"namespace\":\"default\","
        + "\"cron\":\"*/5 * * * *\",\"maxRetries\":2,\"containers\":[{\"name\":\"pi\",\"command\":[\"echo\"],"
        + "\"args\":[\"3.14\"]}]}");
    assertEquals(201, r.status(), r.toString());
    assertEquals(2, r.json().get("max_retries").asInt());
    assertEquals("[\"echo\",\"3.14\"]", r.json().get("steps").get(0).get("command").toString());
    assertEquals(5, r.json().get("next_runs").size());
  }
}

package dev.orion.api.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Jobs over HTTP on a real API and database, with no scheduler: what the API records (pending rows,
 * events, cancel requests), what it answers (attempts and logs the schedulers would write, inserted
 * here), and what it refuses (400 with no row written, 404 for someone else's ids).
 */
class JobApiTest {
  static ApiHarness api;
  static String alice;
  static String bob;
  static long node;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
    alice = api.newUser("alice");
    bob = api.newUser("bob");
    node = register("job-node-1", "default", Map.of());
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  static long register(String hostname, String pool, Map<String, String> labels) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("hostname", hostname);
    body.put("ip", "127.0.0.1");
    body.put("ssh_port", 2200 + hostname.length());
    body.put("host_key", TestKeys.ed25519());
    body.put("pool", pool);
    body.put("labels", labels);
    Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(body));
    assertEquals(201, r.status(), r.toString());
    return r.json().get("node_id").asLong();
  }

  static long create(String token, Object body) {
    Http.Response r = api.http.post("/api/jobs", token, body instanceof String s ? s : Http.json(body));
    assertEquals(201, r.status(), r.toString());
    assertEquals("pending", r.json().get("status").asText());
    return r.json().get("job_id").asLong();
  }

  static int count(String table) {
    return api.db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Integer.class).one());
  }

  static void sql(String statement, Object... args) {
    api.db.jdbi().useHandle(h -> {
      var u = h.createUpdate(statement);
      for (int i = 0; i < args.length; i++) {
        u.bind(i, args[i]);
      }
      u.execute();
    });
  }

  @Test
  void createListGetAndCancel() {
    long id = create(alice, Map.of("name", "hello", "pool", "default", "command", List.of("echo", "hi there"),
        "env", Map.of("GREETING", "hi"), "max_retries", 2, "timeout_seconds", 60));
    JsonNode job = api.http.get("/api/jobs/" + id, alice).json();
    assertEquals(id, job.get("job_id").asLong());
    assertEquals("hello", job.get("name").asText());
    assertEquals("default", job.get("pool").asText());
    assertTrue(job.get("rental_id").isNull());
    assertEquals("pending", job.get("status").asText());
    assertEquals(2, job.get("max_retries").asInt());
    assertEquals(60, job.get("timeout_seconds").asInt());
    assertEquals("[{\"name\":\"main\",\"command\":[\"echo\",\"hi there\"],\"image\":null}]", job.get("steps").toString());
    assertEquals("hi", job.get("env").get("GREETING").asText());
    assertEquals(0, job.get("attempts").size());
    assertFalse(job.has("scheduled_id"), "only a cron job's jobs name one");
    assertEquals("job", job.get("events").get(0).get("kind").asText());
    assertEquals("pending", job.get("events").get(0).get("to_status").asText());
    // What the scheduler side reads: due now, the spec in the shared shape.
    String spec = api.db.jdbi().withHandle(h -> h.createQuery("SELECT spec FROM jobs WHERE id = :id").bind("id", id)
        .mapTo(String.class).one());
    assertEquals(List.of("echo", "hi there"), dev.orion.common.job.JobSpec.fromJson(spec).steps().get(0).command());

    JsonNode mine = api.http.get("/api/jobs", alice).json();
    assertTrue(mine.isArray());
    assertTrue(ids(mine).contains(id));
    assertFalse(ids(api.http.get("/api/jobs", bob).json()).contains(id), "bob lists only his own");
    assertTrue(ids(api.http.get("/api/jobs", api.adminToken()).json()).contains(id), "admins list all");
    assertTrue(ids(api.http.get("/api/jobs?status=pending", alice).json()).contains(id));
    assertFalse(ids(api.http.get("/api/jobs?status=running", alice).json()).contains(id));
    Http.Response bad = api.http.get("/api/jobs?status=bogus", alice);
    assertEquals(400, bad.status());
    assertTrue(bad.isProblem());

    Http.Response cancel = api.http.delete("/api/jobs/" + id, alice);
    assertEquals(200, cancel.status(), cancel.toString());
    job = api.http.get("/api/jobs/" + id, alice).json();
    assertEquals("cancelled", job.get("status").asText());
    assertNotNull(job.get("finished_at").asText(null));
    JsonNode last = job.get("events").get(job.get("events").size() - 1);
    assertEquals("pending", last.get("from_status").asText());
    assertEquals("cancelled", last.get("to_status").asText());
    assertEquals(409, api.http.delete("/api/jobs/" + id, alice).status(), "a finished job stays as it is");
  }

  @Test
  void aRunningJobIsCancelledByItsScheduler() {
    long id = create(alice, Map.of("name", "long", "pool", "default", "command", List.of("sleep", "600")));
    sql("UPDATE jobs SET status = 'running', started_at = ?, claimed_by = 'scheduler-1', claimed_until = ?"
        + " WHERE id = ?", Instant.now(), Instant.now().plusSeconds(60), id);
    Http.Response r = api.http.delete("/api/jobs/" + id, alice);
    assertEquals(202, r.status(), r.toString());
    assertTrue(r.json().get("message").asText().contains("Cancel requested"));
    JsonNode job = api.http.get("/api/jobs/" + id, alice).json();
    assertEquals("running", job.get("status").asText(), "the scheduler records the end");
    assertTrue(job.get("cancel_requested").asBoolean());
    assertEquals(202, api.http.delete("/api/jobs/" + id, alice).status(), "asking again is harmless");

    // A pending job a scheduler is starting this instant is left to it too.
    long claimed = create(alice, Map.of("name", "claimed", "pool", "default", "command", List.of("true")));
    sql("UPDATE jobs SET claimed_by = 'scheduler-1', claimed_until = ?, due_at = ?, reason = 'BackOff' WHERE id = ?",
        Instant.now().plusSeconds(60), Instant.now().plusSeconds(600), claimed);
    assertEquals(202, api.http.delete("/api/jobs/" + claimed, alice).status());
    assertEquals("pending", api.http.get("/api/jobs/" + claimed, alice).json().get("status").asText());
    Instant due = api.db.jdbi().withHandle(h -> h.createQuery("SELECT due_at FROM jobs WHERE id = :id")
        .bind("id", claimed).mapTo(Instant.class).one());
    assertFalse(due.isAfter(Instant.now()), "due at once, not when its back-off ends");
  }

  @Test
  void simpleJobBodiesAreAcceptedAsTheyAre() {
    long id = create(alice, "{\"name\":\"pi\",\"namespace\":\"default\",\"maxRetries\":3,\"containers\":["
        + "{\"name\":\"pi\",\"command\":[\"sh\",\"-c\"],\"args\":[\"echo 3.14159\"]},"
        + "{\"name\":\"after\",\"command\":[\"date\"]}]}");
    JsonNode job = api.http.get("/api/jobs/" + id, alice).json();
    assertEquals("default", job.get("pool").asText());
    assertEquals(3, job.get("max_retries").asInt());
    assertEquals("[{\"name\":\"pi\",\"command\":[\"sh\",\"-c\",\"echo 3.14159\"],\"image\":null},"
        + "{\"name\":\"after\",\"command\":[\"date\"],\"image\":null}]", job.get("steps").toString());

    String withImage = "{\"name\":\"pi\",\"namespace\":\"%s\",\"containers\":[{\"name\":\"pi\",\"image\":\"perl:5.34\","
        + "\"command\":[\"perl\",\"-Mbignum=bpi\",\"-wle\",\"print bpi(200)\"]}]}";
    String before = api.snapshot();
    Http.Response refused = api.http.post("/api/jobs", alice, String.format(withImage, "default"));
    assertEquals(400, refused.status(), refused.toString());
    assertTrue(refused.json().get("detail").asText().contains("orion.io/container-runtime"), refused.toString());
    assertEquals(before, api.snapshot());

    register("job-ctr-1", "containers", Map.of("orion.io/container-runtime", "docker"));
    long ctr = create(alice, String.format(withImage, "containers"));
    assertEquals("perl:5.34", api.http.get("/api/jobs/" + ctr, alice).json().get("steps").get(0).get("image").asText());
  }

  @Test
  void badBodiesAre400AndWriteNothing() {
    String[] bodies = {
        "", "{", "[]", "null", "{\"name\":\"x\"}{}",
        "{\"pool\":\"default\",\"command\":[\"true\"]}", // no name
        "{\"name\":\"x\",\"command\":[\"true\"]}", // no pool
        "{\"name\":\"x\",\"pool\":\"default\"}", // no command
        "{\"name\":\"Bad_Name\",\"pool\":\"default\",\"command\":[\"true\"]}",
        "{\"name\":\"" + "a".repeat(64) + "\",\"pool\":\"default\",\"command\":[\"true\"]}",
        "{\"name\":\"-x\",\"pool\":\"default\",\"command\":[\"true\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":\"echo hi\"}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[1]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[null]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"echo\",\"a\\u0000b\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"echo\",\"a\\nb\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"echo\",\"\\u009b\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":" + Http.json(java.util.Collections.nCopies(65, "a")) + "}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"echo\",\"" + "a".repeat(4097) + "\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"env\":{\"1BAD\":\"v\"}}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"env\":{\"A-B\":\"v\"}}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"env\":{\"A\":null}}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"env\":{\"A\":1}}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"env\":{\"A\":\"\\u0007\"}}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"env\":[\"A=1\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"max_retries\":-1}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"max_retries\":101}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"max_retries\":1.5}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"max_retries\":\"2\"}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"max_retries\":99999999999}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"timeout_seconds\":0}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"timeout_seconds\":604801}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"ttl_seconds_after_finished\":-1}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"ttl_seconds_after_finished\":2592001}",
        "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"],\"surprise\":1}",
        "{\"name\":\"x\",\"pool\":\"Default\",\"command\":[\"true\"]}",
        "{\"name\":\"x\",\"pool\":\"nowhere\",\"command\":[\"true\"]}", // unknown pool
        "{\"name\":\"x\",\"pool\":\"default\",\"rental_id\":1,\"command\":[\"true\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"namespace\":\"other\",\"command\":[\"true\"]}",
        "{\"name\":\"x\",\"pool\":\"default\",\"rental_id\":0,\"command\":[\"true\"]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"command\":[\"true\"],\"containers\":[{\"name\":\"a\",\"command\":[\"true\"]}]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[{\"name\":\"a\"}]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[{\"command\":[\"true\"]}]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[{\"name\":\"a\",\"command\":[\"true\"]},{\"name\":\"a\",\"command\":[\"true\"]}]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[{\"name\":\"a\",\"image\":\"-rm\",\"command\":[\"true\"]}]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[{\"name\":\"a\",\"command\":[\"true\"],\"tty\":true}]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"containers\":[null]}",
        "{\"name\":\"x\",\"namespace\":\"default\",\"cron\":\"* * * * *\",\"containers\":[{\"name\":\"a\",\"command\":[\"true\"]}]}",
    };
    int jobs = count("jobs");
    String before = api.snapshot();
    for (String body : bodies) {
      Http.Response r = api.http.post("/api/jobs", alice, body);
      assertEquals(400, r.status(), body + " -> " + r);
      assertTrue(r.isProblem(), body + " -> " + r);
      assertFalse(r.json().get("detail").asText().isBlank());
    }
    assertEquals(jobs, count("jobs"));
    assertEquals(before, api.snapshot(), "no state change");
    Http.Response unknown = api.http.post("/api/jobs", alice, "{\"name\":\"x\",\"pool\":\"nowhere\",\"command\":[\"true\"]}");
    assertTrue(unknown.json().get("detail").asText().contains("unknown"), unknown.toString());
    assertEquals(401, api.http.post("/api/jobs", null, "{\"name\":\"x\",\"pool\":\"default\",\"command\":[\"true\"]}").status());
  }

  @Test
  void logsOfAnAttemptWithTheCapStated() {
    long id = create(alice, Map.of("name", "logs", "pool", "default", "command", List.of("seq", "3")));
    Http.Response none = api.http.get("/api/jobs/" + id + "/logs", alice);
    assertEquals(200, none.status(), none.toString());
    assertEquals("", none.body());
    assertEquals("0", none.header("X-Orion-Attempt"));

    sql("INSERT INTO job_attempts (job_id, attempt, node_id, unix_user, run_dir, started_at, ended_at, exit_code,"
        + " reason, log, log_bytes) VALUES (?, 1, ?, 'oj1', '/tmp/oj1', ?, ?, 1, 'Error', ?, 4)",
        id, node, Instant.now(), Instant.now(), "bad\n".getBytes(StandardCharsets.UTF_8));
    sql("INSERT INTO job_attempts (job_id, attempt, node_id, unix_user, run_dir, started_at, ended_at, exit_code,"
        + " reason, log, log_bytes) VALUES (?, 2, ?, 'oj2', '/tmp/oj2', ?, ?, 0, 'Completed', ?, 3000000)",
        id, node, Instant.now(), Instant.now(), "1\n2\n3\n".getBytes(StandardCharsets.UTF_8));
    Http.Response latest = api.http.get("/api/jobs/" + id + "/logs", alice);
    assertEquals(200, latest.status());
    assertTrue(latest.contentType().startsWith("text/plain"), latest.contentType());
    assertEquals("2", latest.header("X-Orion-Attempt"));
    assertEquals("3000000", latest.header("X-Orion-Log-Bytes"));
    assertTrue(latest.body().startsWith("1\n2\n3\n"), latest.body());
    assertTrue(latest.body().contains("output truncated: the first 6 of 3000000 bytes are kept"), latest.body());
    Http.Response first = api.http.get("/api/jobs/" + id + "/logs?attempt=1", alice);
    assertEquals("bad\n", first.body(), "a log within the cap has no extra line");
    assertEquals(404, api.http.get("/api/jobs/" + id + "/logs?attempt=3", alice).status());
    assertEquals(400, api.http.get("/api/jobs/" + id + "/logs?attempt=0", alice).status());
    assertEquals(400, api.http.get("/api/jobs/" + id + "/logs?attempt=x", alice).status());
    assertEquals(400, api.http.get("/api/jobs/" + id + "/logs?follow=maybe", alice).status());

    JsonNode job = api.http.get("/api/jobs/" + id, alice).json();
    assertEquals(2, job.get("attempts").size());
    JsonNode a1 = job.get("attempts").get(0);
    assertEquals(1, a1.get("attempt").asInt());
    assertEquals(node, a1.get("node_id").asLong());
    assertEquals(1, a1.get("exit_code").asInt());
    assertEquals("Error", a1.get("reason").asText());
    assertNotNull(a1.get("started_at").asText(null));
    assertNotNull(a1.get("ended_at").asText(null));
  }

  @Test
  void followStreamsUntilTheAttemptEnds() throws Exception {
    long id = create(alice, Map.of("name", "follow", "pool", "default", "command", List.of("seq", "3")));
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest req = HttpRequest.newBuilder(URI.create(api.url() + "/api/jobs/" + id + "/logs?follow=true"))
        .header("Authorization", "Bearer " + alice).GET().build();
    // The follower waits for the first attempt of a job yet to start.
    var pending = client.sendAsync(req, HttpResponse.BodyHandlers.ofInputStream());
    sql("INSERT INTO job_attempts (job_id, attempt, node_id, unix_user, run_dir, started_at, log, log_bytes)"
        + " VALUES (?, 1, ?, 'oj3', '/tmp/oj3', ?, ?, 2)", id, node, Instant.now(), "1\n".getBytes(StandardCharsets.UTF_8));
    HttpResponse<InputStream> res = pending.get();
    assertEquals(200, res.statusCode());
    assertEquals("1", res.headers().firstValue("X-Orion-Attempt").orElse(null));
    try (BufferedReader in = new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.UTF_8))) {
      assertEquals("1", in.readLine(), "the first line arrives while the attempt runs");
      sql("UPDATE job_attempts SET log = CONCAT(log, ?), log_bytes = 4 WHERE job_id = ? AND attempt = 1",
          "2\n".getBytes(StandardCharsets.UTF_8), id);
      assertEquals("2", in.readLine());
      sql("UPDATE job_attempts SET log = CONCAT(log, ?), log_bytes = 6, ended_at = ?, exit_code = 0,"
          + " reason = 'Completed' WHERE job_id = ? AND attempt = 1", "3\n".getBytes(StandardCharsets.UTF_8),
          Instant.now(), id);
      assertEquals("3", in.readLine());
      assertNull(in.readLine(), "the stream ends with the attempt");
    }
    // A finished attempt answers at once, whole.
    Http.Response again = api.http.get("/api/jobs/" + id + "/logs?follow=true", alice);
    assertEquals("1\n2\n3\n", again.body());
    assertEquals(404, api.http.get("/api/jobs/" + id + "/logs?follow=true&attempt=2", alice).status());
  }

  @Test
  void someoneElsesJobsAndCronJobsAreNotFound() {
    long job = create(alice, Map.of("name", "secret", "pool", "default", "command", List.of("true")));
    Http.Response cron = api.http.post("/api/scheduled", alice, Http.json(Map.of("name", "nightly", "pool", "default",
        "command", List.of("true"), "cron", "0 3 * * *")));
    assertEquals(201, cron.status(), cron.toString());
    long scheduled = cron.json().get("scheduled_id").asLong();
    String put = Http.json(Map.of("name", "nightly", "pool", "default", "command", List.of("false"), "cron", "0 4 * * *"));
    String before = api.snapshot();
    Http.Response[] answers = {
        api.http.get("/api/jobs/" + job, bob),
        api.http.delete("/api/jobs/" + job, bob),
        api.http.get("/api/jobs/" + job + "/logs", bob),
        api.http.get("/api/jobs/" + job + "/logs?follow=true", bob),
        api.http.get("/api/scheduled/" + scheduled, bob),
        api.http.put("/api/scheduled/" + scheduled, bob, put),
        api.http.delete("/api/scheduled/" + scheduled, bob),
        api.http.get("/api/scheduled/" + scheduled + "/jobs", bob),
    };
    Http.Response[] unknown = {
        api.http.get("/api/jobs/" + (job + 1000), bob),
        api.http.delete("/api/jobs/" + (job + 1000), bob),
        api.http.get("/api/jobs/" + (job + 1000) + "/logs", bob),
        api.http.get("/api/jobs/" + (job + 1000) + "/logs?follow=true", bob),
        api.http.get("/api/scheduled/" + (scheduled + 1000), bob),
        api.http.put("/api/scheduled/" + (scheduled + 1000), bob, put),
        api.http.delete("/api/scheduled/" + (scheduled + 1000), bob),
        api.http.get("/api/scheduled/" + (scheduled + 1000) + "/jobs", bob),
    };
    for (int i = 0; i < answers.length; i++) {
      assertEquals(404, answers[i].status(), i + ": " + answers[i]);
      assertTrue(answers[i].isProblem());
      assertEquals(unknown[i].status(), answers[i].status(), "indistinguishable from an unknown id");
    }
    assertFalse(api.http.get("/api/scheduled", bob).body().contains("\"nightly\""));
    assertEquals(before, api.snapshot());
    assertEquals(200, api.http.get("/api/jobs/" + job, api.adminToken()).status(), "admins see all");
    assertEquals(200, api.http.get("/api/scheduled/" + scheduled, alice).status());
  }

  @Test
  void aJobOnTheCallersOwnLease() {
    long uid = api.userId(alice);
    long leaseNode = register("job-node-lease", "default", Map.of());
    long rental = insertLease(uid, leaseNode, "client", "active");
    long id = create(alice, Map.of("name", "onlease", "rental_id", rental, "command", List.of("id")));
    JsonNode job = api.http.get("/api/jobs/" + id, alice).json();
    assertEquals(rental, job.get("rental_id").asLong());
    assertTrue(job.get("pool").isNull());

    String before = api.snapshot();
    String body = Http.json(Map.of("name", "onlease", "rental_id", rental, "command", List.of("id")));
    assertEquals(404, api.http.post("/api/jobs", bob, body).status(), "someone else's lease");
    assertEquals(404, api.http.post("/api/jobs", alice,
        Http.json(Map.of("name", "x", "rental_id", rental + 1000, "command", List.of("id")))).status());
    assertEquals(400, api.http.post("/api/jobs", alice, Http.json(Map.of("name", "x", "rental_id", rental,
        "containers", List.of(Map.of("name", "a", "image", "busybox", "command", List.of("true")))))).status(),
        "no container runtime on the lease's node");
    assertEquals(before, api.snapshot());
    sql("UPDATE rentals SET status = 'ended', end_reason = 'released', ended_at = ? WHERE id = ?", Instant.now(), rental);
    assertEquals(404, api.http.post("/api/jobs", alice, body).status(), "an ended lease");
  }

  /** A lease row as the lease store writes it, without a worker behind it. */
  static long insertLease(long userId, long nodeId, String kind, String status) {
    sql("UPDATE nodes SET allocated = TRUE WHERE id = ?", nodeId);
    return api.db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO rentals (user_id, node_id, client_user,"
            + " password_crypt, status, created_at, leased_until, kind) VALUES (:u, :n, :cu, 'x', :s, :now, :until, :k)")
        .bind("u", userId).bind("n", nodeId).bind("cu", "oj" + nodeId).bind("s", status)
        .bind("now", Instant.now()).bind("until", Instant.now().plus(1, ChronoUnit.HOURS)).bind("k", kind)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }

  @Test
  void healthz() {
    Http.Response r = api.http.get("/healthz", null);
    assertEquals(200, r.status());
    assertEquals("{\"message\":\"ok\",\"status\":200}", r.body());
  }

  static List<Long> ids(JsonNode list) {
    List<Long> out = new ArrayList<>();
    list.forEach(j -> out.add(j.get("job_id").asLong()));
    return out;
  }
}

package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orion.common.db.Database;
import dev.orion.common.db.DbConfig;
import dev.orion.common.job.JobSpec;
import dev.orion.scheduler.Scheduler;
import dev.orion.scheduler.testing.Fleet;
import dev.orion.scheduler.testing.Instances;
import dev.orion.scheduler.testing.Jobs;
import dev.orion.scheduler.testing.Workers;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job with an image step is placed only on a worker whose container-runtime label names docker
 * or podman, and the step runs as {@code <runtime> run --rm -e NAME=value <image> <argv…>}.
 *
 * <p>There is no container engine on the machines this runs on, so the labelled sandbox worker
 * gets a tiny executable named {@code docker} on its PATH (a directory of its own /var bind-mounted
 * over /usr/local/bin inside the worker's private mount namespace, never the host's) that writes
 * the argv it was given, one item a line, to a marker file. That proves the exact command line and
 * the placement, not that a container ran.
 */
class ContainerJobTest {
  @Test
  void anImageStepRunsThroughTheLabelledWorkersRuntimeWithItsArgvQuoted() throws Exception {
    DbConfig cfg = TestDb.freshConfig(8);
    List<SandboxWorker> workers = SandboxWorker.startMany("ctr", 2);
    try (Database db = Database.connect(cfg)) {
      Fleet fleet = new Fleet(db.jdbi(), Instant.now());
      List<Long> nodes = JobRunTest.register(db, new Workers(db.jdbi(), fleet), "ctr", workers);
      // The first worker (lower id: plain placement takes it first) names a program that is no
      // runtime; only the second may run images.
      label(db, nodes.get(0), "{\"orion.io/container-runtime\": \"sh\"}");
      label(db, nodes.get(1), "{\"orion.io/container-runtime\": \"docker\", \"zone\": \"b\"}");
      SandboxWorker engine = workers.get(1);
      engine.runInside("install -d -m 0755 /var/fakebin && printf '%s\\n' '#!/bin/sh'"
          + " 'f=$(mktemp /var/marks/docker-argv.XXXXXX)' 'for a in \"$@\"; do printf \"%s\\n\" \"$a\"; done > \"$f\"'"
          + " 'echo fake docker ran' > /var/fakebin/docker && chmod 0755 /var/fakebin/docker"
          + " && mount --bind /var/fakebin /usr/local/bin");
      Jobs jobs = new Jobs(db.jdbi(), fleet.userId());
      Map<String, String> env = new LinkedHashMap<>();
      env.put("GREETING", "it's a \"test\" $HOME");
      env.put("B", "2");
      JobSpec spec = new JobSpec(List.of(
          new JobSpec.Step("prep", List.of("true"), null),
          new JobSpec.Step("main", List.of("sh", "-c", "echo $GREETING; exit 0"), "docker.io/library/alpine:3.20")),
          env);
      try (Scheduler s = new Scheduler(Instances.config("ct1", cfg, JobRunTest.env(Map.of("ORION_JOB_WORKER_SHARE",
          "100"))), db, Clock.systemUTC()).start()) {
        long id = insert(db, fleet.userId(), spec);
        JobRunTest.awaitFinished(jobs, id, Duration.ofSeconds(60));
        assertEquals("succeeded", jobs.status(id), jobs.events(id).toString());
        Map<String, Object> a = jobs.attempts(id).get(0);
        assertEquals(nodes.get(1), ((Number) a.get("node_id")).longValue(), "placed on the docker worker");
        assertEquals("fake docker ran\n", a.get("log"));

        // A plain job still takes the first free worker.
        long plain = jobs.submit("ctr", "true", 0, null);
        JobRunTest.awaitFinished(jobs, plain, Duration.ofSeconds(60));
        assertEquals(nodes.get(0), ((Number) jobs.attempts(plain).get(0).get("node_id")).longValue());
      }
      assertEquals(List.of("run", "--rm", "-e", "GREETING=it's a \"test\" $HOME", "-e", "B=2",
              "docker.io/library/alpine:3.20", "sh", "-c", "echo $GREETING; exit 0"),
          engine.runInside("cat /var/marks/docker-argv.*").lines().toList(),
          "the runtime's argv, each item as given (the program itself is docker, found on PATH)");
      assertEquals("", workers.get(0).runInside("ls /var/marks").strip(), "nothing ran on the unlabelled worker");
    } finally {
      SandboxWorker.closeAll(workers);
    }
  }

  private static void label(Database db, long node, String json) {
    db.jdbi().useHandle(h -> h.execute("UPDATE nodes SET labels = ? WHERE id = ?", json, node));
  }

  private static long insert(Database db, long user, JobSpec spec) {
    Instant now = Instant.now();
    return db.jdbi().withHandle(h -> h.createUpdate("INSERT INTO jobs (user_id, name, pool, spec, max_retries,"
            + " created_at, due_at) VALUES (:u, 'ctr', 'ctr', :s, 0, :now, :now)")
        .bind("u", user).bind("s", spec.toJson()).bind("now", now)
        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
  }
}

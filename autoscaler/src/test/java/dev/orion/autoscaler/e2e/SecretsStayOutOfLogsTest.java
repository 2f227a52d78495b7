package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.common.db.DbConfig;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestDb;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Drives a rent through the real edge down every path that reports an error (a provisioning
 * command that times out, a worker that is gone, no free worker) and one that succeeds, each with
 * a password of its own; then no log line of any process (API replicas, both Caddys, the
 * autoscaler's driver) and no row of the events table holds a password or a crypt hash.
 */
class SecretsStayOutOfLogsTest {
  @Test
  void noPasswordOrHashInAnyLogOrEvent() throws Exception {
    DbConfig db = TestDb.freshConfig(40);
    Path home = CaddyUnderTest.repoRoot().resolve("autoscaler/target/secrets-" + ProcessHandle.current().pid());
    ApiProcesses apiEnv = new ApiProcesses(db, home).with("ORION_SSH_COMMAND_TIMEOUT", "2s");
    Path adminKey = Path.of(apiEnv.env().get("ORION_SSH_KEY") + ".pub");
    List<String> passwords = new ArrayList<>();
    List<String> answers = new ArrayList<>();
    Path logs;
    List<SandboxWorker> workers = new ArrayList<>();
    try (EdgeStack stack = EdgeStack.api("secrets", new ScalingPolicy(1000, 0.1, 1, 1,
        Duration.ofSeconds(3), 1, 1), apiEnv).startServing(1)) {
      logs = stack.caddy.home;
      ApiClient agents = new ApiClient("http://127.0.0.1:" + stack.caddy.agentPort, null);
      ApiClient client = stack.client();
      String token = client.token("secretive", "secretive-pass-1");

      // Timeout: useradd never returns on this worker.
      SandboxWorker slow = SandboxWorker.start("secret-slow", adminKey);
      workers.add(slow);
      slow.runInside("printf '#!/bin/sh\\nexec sleep 60\\n' >/run/slow && chmod +x /run/slow"
          + " && mount --bind /run/slow /usr/sbin/useradd");
      register(agents, apiEnv, slow);
      FreshNodes.markScrubbed(db, slow.name());
      answers.add(rent(client, token, passwords, 502));

      // Failure: the worker is gone by the time the rent reaches it (the abandoned rent removed
      // its account, so the node is free again; unreachable now, it stays out afterwards).
      slow.kill();
      answers.add(rent(client, token, passwords, 502));

      // Success, then a rent that finds no free worker.
      SandboxWorker good = SandboxWorker.start("secret-good", adminKey);
      workers.add(good);
      register(agents, apiEnv, good);
      FreshNodes.markScrubbed(db, good.name());
      answers.add(rent(client, token, passwords, 201));
      answers.add(rent(client, token, passwords, 409));
    } finally {
      SandboxWorker.closeAll(workers);
    }

    List<String> texts = new ArrayList<>(answers); // the answers, too (the 201 holds only its own password)
    texts.remove(2);
    List<Path> files;
    try (Stream<Path> walk = Stream.concat(Files.walk(logs), Files.walk(home))) {
      files = walk.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".log")).toList();
    }
    assertTrue(files.stream().anyMatch(p -> p.getFileName().toString().startsWith("api-")), files.toString());
    for (Path f : files) {
      texts.add(f + ":\n" + new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
    }
    String events = events(db);
    assertTrue(events.contains("provisioning failed"), "the failures were recorded: " + events);
    texts.add("rental_events:\n" + events);
    String all = String.join("\n", texts);
    assertTrue(all.contains("no exit status within"), "the timeout path ran");
    for (String text : texts) {
      String where = text.substring(0, Math.min(text.indexOf('\n') + 1, 200));
      assertFalse(text.contains("$6$"), "a crypt hash in " + where);
      for (String p : passwords) {
        assertFalse(text.contains(p), "a password in " + where);
      }
    }
  }

  private static void register(ApiClient agents, ApiProcesses apiEnv, SandboxWorker w) throws Exception {
    HttpResponse<String> r = agents.send(agents.register(apiEnv.agentToken, w.name(), w.ip(), w.port(), w.hostKey()));
    assertEquals(201, r.statusCode(), r.body());
  }

  /** Rents one worker with a fresh password (remembered) and returns the answer's body. */
  private static String rent(ApiClient client, String token, List<String> passwords, int expected) throws Exception {
    String password = "pw-" + UUID.randomUUID();
    passwords.add(password);
    HttpResponse<String> r = client.send(ApiClient.json(client.request("/api/rent"),
        "{\"duration_hours\":1,\"count\":1,\"ssh_password\":\"" + password + "\"}")
        .header("Authorization", "Bearer " + token));
    assertEquals(expected, r.statusCode(), r.body());
    return r.body();
  }

  private static String events(DbConfig db) throws Exception {
    StringBuilder sb = new StringBuilder();
    try (Connection c = DriverManager.getConnection(db.url(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT * FROM rental_events")) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          sb.append(rs.getString(i)).append(' ');
        }
        sb.append('\n');
      }
    }
    return sb.toString();
  }
}

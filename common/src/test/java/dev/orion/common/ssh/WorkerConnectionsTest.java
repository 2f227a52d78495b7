package dev.orion.common.ssh;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.ssh.WorkerException.Kind;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Against real sandbox workers: one sshd each, in its own namespaces. */
class WorkerConnectionsTest {
  static SandboxWorker a;
  static SandboxWorker b;

  @BeforeAll
  static void start() {
    List<SandboxWorker> ws = SandboxWorker.startMany("conn", 2);
    a = ws.get(0);
    b = ws.get(1);
  }

  @AfterAll
  static void stop() {
    a.close();
    b.close();
  }

  @Test
  void runsCommandsOnTheWorkerItself() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      ExecResult r = c.exec(a.endpoint(1), "hostname; id -un; echo oops >&2; exit 7");

      assertEquals(7, r.exitCode());
      assertEquals(a.name() + "\nroot\n", r.stdout());
      assertEquals("oops\n", r.stderr());
    }
  }

  @Test
  void reusesOneConnectionForManyCommands() throws Exception {
    long loginsBefore = a.countInLog("Accepted publickey for root");
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      for (int i = 0; i < 50; i++) {
        assertEquals("" + i + "\n", c.exec(a.endpoint(1), "echo " + i).stdout());
      }
      assertEquals(1, c.handshakes());
    }
    assertEquals(loginsBefore + 1, a.countInLog("Accepted publickey for root"), "sshd saw one admin login");
  }

  @Test
  void manyThreadsShareTheConnectionWithinTheSessionBound() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      ExecutorService pool = Executors.newFixedThreadPool(24);
      try {
        List<Future<ExecResult>> fs = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
          int n = i;
          fs.add(pool.submit(() -> c.exec(a.endpoint(1), "sleep 0.05; echo " + n)));
        }
        for (int i = 0; i < fs.size(); i++) {
          assertEquals(i + "\n", fs.get(i).get().stdout());
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(1, c.handshakes(), "concurrent first use still makes a single handshake");
    }
  }

  @Test
  void refusesAWorkerPresentingAnotherHostKey() {
    // b's key pinned, a answers: exactly what an impostor on a's address looks like.
    WorkerEndpoint impostor = new WorkerEndpoint(9, a.ip(), a.port(), b.hostKey());
    long loginsBefore = a.countInLog("Accepted publickey for root");
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      WorkerException e = assertThrows(WorkerException.class, () -> c.exec(impostor, "true"));

      assertEquals(Kind.HOST_KEY_MISMATCH, e.kind());
      assertTrue(e.getMessage().contains("node 9 (" + a.ip() + ":" + a.port() + ")"), e.getMessage());
      assertTrue(e.getMessage().contains(HostKeys.fingerprint(a.hostKey())), "names the presented key");
      assertTrue(e.getMessage().contains(HostKeys.fingerprint(b.hostKey())), "names the pinned key");
    }
    assertEquals(loginsBefore, a.countInLog("Accepted publickey for root"), "never authenticated to it");
  }

  @Test
  void replacesACachedConnectionTheWorkerDropped() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      c.exec(b.endpoint(2), "true");
      // Kill the server side of the admin connection, as an sshd restart or a network cut would.
      b.runInside("pkill -KILL -f '^sshd: root' || true");

      assertEquals("back\n", c.exec(b.endpoint(2), "echo back").stdout());
      assertEquals(2, c.handshakes());
    }
  }

  @Test
  void aPingIsAnsweredBySshdOnTheOpenConnectionWithoutASession() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      c.exec(a.endpoint(5), "true");
      // The worker's last pid moves by what reading it costs, and by one or more per exec.
      long p0 = lastPid(a);
      long p1 = lastPid(a);
      c.exec(a.endpoint(5), "true");
      long p2 = lastPid(a);
      assertTrue(p2 - p1 > p1 - p0, "an exec starts a process on the worker");
      for (int i = 0; i < 20; i++) {
        c.ping(a.endpoint(5));
      }
      long p3 = lastPid(a);
      assertEquals(p1 - p0, p3 - p2, "20 pings started no process on the worker");
      assertEquals(1, c.handshakes());
    }
  }

  @Test
  void aPingOnAConnectionTheWorkerDroppedReconnectsOnce() throws Exception {
    // The client may notice the drop before the ping, while waiting for its answer, or not yet at
    // all: every round must end in one new handshake and an answered ping, never in an error.
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      c.ping(a.endpoint(6));
      for (int round = 1; round <= 15; round++) {
        a.runInside("pkill -KILL -f '^sshd: root' || true");
        c.ping(a.endpoint(6));
        assertEquals(round + 1, c.handshakes(), "round " + round);
      }
    }
  }

  @Test
  void aConnectionDroppedUnderARunningCommandIsUnreachableNotATimeout() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      ExecutorService pool = Executors.newSingleThreadExecutor();
      try {
        Future<ExecResult> running = pool.submit(() -> c.exec(b.endpoint(7), "sleep 60"));
        await().atMost(Duration.ofSeconds(30)).until(() -> b.runInside("pgrep -x sleep || true").strip().length() > 0);
        b.runInside("pkill -KILL -f '^sshd: root' || true");

        ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(15, TimeUnit.SECONDS));
        assertEquals(Kind.UNREACHABLE, ((WorkerException) e.getCause()).kind(), e.getCause().getMessage());
      } finally {
        pool.shutdownNow();
        b.runInside("pkill -KILL -x sleep || true"); // outlives its session, as a detached process would
      }
    }
  }

  private static long lastPid(SandboxWorker w) throws Exception {
    return Long.parseLong(w.runInside("cat /proc/sys/kernel/ns_last_pid").strip());
  }

  @Test
  void forgetClosesTheConnection() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      c.exec(a.endpoint(3), "true");
      c.forget(3);
      c.exec(a.endpoint(3), "true");
      assertEquals(2, c.handshakes());
    }
  }

  @Test
  void aDeadWorkerIsUnreachableAndNamed() throws Exception {
    SandboxWorker doomed = SandboxWorker.start("doomed");
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      c.exec(doomed.endpoint(4), "true");
      doomed.kill();

      WorkerException e = assertThrows(WorkerException.class, () -> c.exec(doomed.endpoint(4), "true"));
      assertEquals(Kind.UNREACHABLE, e.kind());
      assertEquals(Kind.UNREACHABLE, assertThrows(WorkerException.class, () -> c.ping(doomed.endpoint(4))).kind());
      assertEquals(4, e.nodeId());
      assertTrue(e.getMessage().startsWith("node 4 (" + doomed.ip() + ":" + doomed.port() + ")"), e.getMessage());
    } finally {
      doomed.close();
    }
  }

  @Test
  void aWrongAdminKeyIsAnAuthFailure() throws Exception {
    SandboxWorker other = SandboxWorker.start("otherkey", b.hostKeyFile()); // some key that is not ours
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      WorkerException e = assertThrows(WorkerException.class, () -> c.exec(other.endpoint(5), "true"));
      assertEquals(Kind.AUTH_FAILED, e.kind());
    } finally {
      other.close();
    }
  }

  @Test
  void aTimedOutCommandIsNotQuotedInTheError() {
    SshConfig quick = new SshConfig("root", TestSsh.adminKey(), Duration.ofSeconds(5), Duration.ofMillis(300));
    String secret = "h='$6$saltsalt$hashhashhash'";
    try (WorkerConnections c = new WorkerConnections(quick)) {
      WorkerException e = assertThrows(WorkerException.class, () -> c.exec(a.endpoint(31), secret + "; sleep 5"));
      assertEquals(Kind.TIMEOUT, e.kind());
      assertFalse(e.getMessage().contains("$6$") || e.getMessage().contains("saltsalt"), e.getMessage());
    }
  }

  /** Answers "got <line>" to every line, after "slow" five seconds late; "quit" ends it. */
  static final String ECHO_HELPER = "exec sh -c 'while read -r l; do case $l in quit) exit 0 ;; slow) sleep 5 ;; esac;"
      + " echo \"got $l\"; done'";

  @Test
  void aResidentHelperAnswersRequestsInOneSessionAndIsStartedAgainWhenGone() throws Exception {
    try (WorkerConnections c = new WorkerConnections(TestSsh.config())) {
      WorkerEndpoint w = a.endpoint(41);
      for (int i = 0; i < 20; i++) {
        assertEquals("got " + i, c.ask(w, ECHO_HELPER, String.valueOf(i)));
      }
      assertEquals(1, helpers(), "one helper answered them all");
      a.runInside("pkill -f 'while rea[d] -r l'");
      assertEquals("got after", c.ask(w, ECHO_HELPER, "after"), "a helper gone since its last answer is started again");
      WorkerException e = assertThrows(WorkerException.class, () -> c.ask(w, ECHO_HELPER, "quit"));
      assertEquals(Kind.UNREACHABLE, e.kind(), "asked again of a new helper, it ended again: " + e.getMessage());
      assertEquals("got 3", c.ask(w, ECHO_HELPER, "3"));
      for (int i = 0; i < 2 * WorkerConnections.MAX_SESSIONS_PER_CONNECTION; i++) {
        a.runInside("pkill -f 'while rea[d] -r l'");
        assertEquals("got " + i, c.ask(w, ECHO_HELPER, String.valueOf(i)), "a helper's session is given back when it ends");
      }
      assertEquals(1, helpers());
      assertEquals(1L, c.handshakes(), "all on one connection");
    }
  }

  @Test
  void aHelperThatDoesNotAnswerInTimeIsStoppedAndReplaced() throws Exception {
    SshConfig quick = new SshConfig("root", TestSsh.adminKey(), Duration.ofSeconds(5), Duration.ofMillis(500));
    try (WorkerConnections c = new WorkerConnections(quick)) {
      WorkerEndpoint w = a.endpoint(42);
      assertEquals("got 1", c.ask(w, ECHO_HELPER, "1"));
      WorkerException e = assertThrows(WorkerException.class, () -> c.ask(w, ECHO_HELPER, "slow"));
      assertEquals(Kind.TIMEOUT, e.kind(), e.getMessage());
      assertEquals("got 2", c.ask(w, ECHO_HELPER, "2"), "a new helper answers the next request");
      assertEquals(1L, c.handshakes(), "on the same connection");
    }
  }

  /** Helper processes running on worker a. */
  private static long helpers() throws Exception {
    return a.runInside("pgrep -f 'while rea[d] -r l' || true").lines().filter(l -> !l.isBlank()).count();
  }
}

package dev.orion.common.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job attempt on a real sandbox worker through its job executor: its throwaway user made by the
 * start, started detached as its user in its own process group, output and exit status in its run
 * directory, a repeated start runs nothing again, short steps seen ended by the start itself, a
 * kill ends the whole group, run directory and user removed in one request; the executor resident
 * (started again when it is gone) or run once per request, with the same results.
 */
class JobExecutorTest {
  @Test
  void startsOncePollsAndKills() throws Exception {
    try (SandboxWorker w = SandboxWorker.start("jobexec");
        SshWorkerOps ops = new SshWorkerOps(new WorkerConnections(TestSsh.config()))) {
      WorkerEndpoint e = w.endpoint(1);
      w.runInside("install -d -m 1777 /var/marks");
      JobLaunch missing = new JobLaunch(RunDirs.of(7, 1), "job-nobody", false, List.of(List.of("true")), Map.of());
      assertEquals(JobStart.State.NO_USER, ops.startJob(e, missing, 0).state(), "no user, nothing started");
      assertEquals("", w.runInside("ls " + RunDirs.ROOT + " 2>/dev/null || true").strip());

      JobLaunch l = new JobLaunch(RunDirs.of(7, 2), "job-a1", true, List.of(
          List.of("sh", "-c", "echo start >> /var/marks/m; id -un; echo \"$GREETING\"; echo oops >&2"),
          List.of("sh", "-c", "exit 3"),
          List.of("sh", "-c", "echo never")), Map.of("GREETING", "it's \"quoted\" $HOME"));
      JobStart first = ops.startJob(e, l, 1 << 20);
      assertEquals(JobStart.State.STARTED, first.state());
      assertTrue(w.runInside("id -nG job-a1").contains(ClientAccounts.CLIENT_GROUP), "the start made its user");
      JobStart again = ops.startJob(e, l, 1 << 20);
      assertEquals(JobStart.State.ALREADY_STARTED, again.state(), "a repeated start starts nothing");
      assertEquals(first.pgid(), again.pgid());
      JobPoll p = ended(ops, e, l.runDir(), again);
      assertEquals(3, p.exitCode(), "the first failing step's status; later steps do not run");
      String out = new String(p.chunk(), StandardCharsets.UTF_8);
      assertEquals("job-a1\nit's \"quoted\" $HOME\noops\n", out);
      assertEquals(out.length(), p.size());
      JobPoll tail = ops.pollJob(e, l.runDir(), first.pgid(), 7, 4);
      assertArrayEquals("it's".getBytes(StandardCharsets.UTF_8), tail.chunk(), "a chunk from an offset");
      assertEquals("start", w.runInside("cat /var/marks/m").strip(), "ran once");
      assertEquals("0755 root", w.runInside("stat -c '%a %U' " + l.runDir()).strip().replace("755", "0755"),
          "the run directory is root's");

      JobLaunch sleeper = new JobLaunch(RunDirs.of(7, 3), "job-a1", false,
          List.of(List.of("sh", "-c", "sleep 300 & sleep 300")), Map.of());
      JobStart s = ops.startJob(e, sleeper, 0);
      assertTrue(s.look().running(), "the start's look: still running after its settle");
      assertNull(s.look().exitCode());
      assertTrue(s.since().toMillis() >= 40, "the start waited for the steps to end: " + s.since());
      JobPoll running = ops.pollJob(e, sleeper.runDir(), s.pgid(), 0, 0);
      assertTrue(running.running());
      assertNull(running.exitCode());
      ops.killJob(e, s.pgid());
      JobPoll killed = ops.pollJob(e, sleeper.runDir(), s.pgid(), 0, 0);
      for (int i = 0; i < 100 && killed.running(); i++) {
        Thread.sleep(20);
        killed = ops.pollJob(e, sleeper.runDir(), s.pgid(), 0, 0);
      }
      assertTrue(killed.vanished(), "the whole group is gone and no exit status recorded");
      assertEquals("", w.runInside("pgrep -u job-a1 || true").strip());
      ops.removeJobDir(e, sleeper.runDir());
      assertFalse(w.runInside("ls " + RunDirs.ROOT).contains("7-3"));

      JobStart quick = ops.startJob(e, new JobLaunch(RunDirs.of(7, 4), "job-a2", true,
          List.of(List.of("echo", "done")), Map.of()), 1 << 20);
      JobPoll done = ended(ops, e, RunDirs.of(7, 4), quick);
      assertEquals(0, done.exitCode());
      assertEquals("done\n", new String(done.chunk(), StandardCharsets.UTF_8));
      assertEquals(List.of(RunDirs.of(7, 2), RunDirs.of(7, 4)), ops.listJobDirs(e));
      assertEquals(1, perls(w), "one executor, resident, answered every request");
      ops.removeJob(e, RunDirs.of(7, 4), "job-a2");
      assertFalse(w.runInside("ls " + RunDirs.ROOT).contains("7-4"), "run directory removed");
      assertEquals("", w.runInside("getent passwd job-a2 || true").strip(), "user removed");
    }
  }

  @Test
  void aResidentExecutorThatIsGoneIsStartedAgain() throws Exception {
    try (SandboxWorker w = SandboxWorker.start("jobexec-gone");
        WorkerConnections connections = new WorkerConnections(TestSsh.config());
        SshWorkerOps ops = new SshWorkerOps(connections)) {
      WorkerEndpoint e = w.endpoint(1);
      assertEquals(List.of(), ops.listJobDirs(e));
      for (int round = 0; round < 5; round++) {
        w.runInside("pkill -KILL -x perl");
        JobStart s = ops.startJob(e, new JobLaunch(RunDirs.of(8, round + 1), "job-g" + round, true,
            List.of(List.of("echo", "round " + round)), Map.of()), 1 << 10);
        assertEquals(JobStart.State.STARTED, s.state(), "round " + round);
        assertEquals("round " + round + "\n", new String(ended(ops, e, RunDirs.of(8, round + 1), s).chunk(),
            StandardCharsets.UTF_8));
        ops.removeJob(e, RunDirs.of(8, round + 1), "job-g" + round);
      }
      w.runInside("pkill -KILL -f '^sshd: root'"); // the connection itself drops
      assertEquals(List.of(), ops.listJobDirs(e), "a new connection, a new executor");
      assertEquals(1, perls(w));
      assertEquals(2, connections.handshakes(), "one reconnect");
    }
  }

  @Test
  void runOncePerRequestItAnswersAlike() throws Exception {
    try (SandboxWorker w = SandboxWorker.start("jobexec-once");
        SshWorkerOps ssh = new SshWorkerOps(new WorkerConnections(TestSsh.config()))) {
      WorkerOps ops = oneShot(ssh);
      WorkerEndpoint e = w.endpoint(1);
      JobLaunch l = new JobLaunch(RunDirs.of(9, 1), "job-o1", true,
          List.of(List.of("sh", "-c", "id -un; exit 4")), Map.of("A", "b c"));
      JobStart s = ops.startJob(e, l, 1 << 10);
      JobPoll p = ended(ops, e, l.runDir(), s);
      assertEquals(4, p.exitCode());
      assertEquals("job-o1\n", new String(p.chunk(), StandardCharsets.UTF_8));
      assertEquals(JobStart.State.ALREADY_STARTED, ops.startJob(e, l, 0).state());
      assertEquals(List.of(l.runDir()), ops.listJobDirs(e));
      ops.removeJob(e, l.runDir(), "job-o1");
      assertFalse(w.hasUser("job-o1"));
      assertEquals(0, perls(w), "nothing stays running");
      assertEquals(JobStart.State.NO_USER, ops.startJob(e, new JobLaunch(RunDirs.of(9, 2), "job-none", false,
          List.of(List.of("true")), Map.of()), 0).state());
    }
  }

  /** Worker operations that only run commands: each job request runs the executor once. */
  static WorkerOps oneShot(SshWorkerOps ssh) {
    return new WorkerOps() {
      @Override
      public ExecResult run(WorkerEndpoint worker, String command) throws WorkerException {
        return ssh.run(worker, command);
      }

      @Override
      public void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException {
        ssh.createAccount(worker, account);
      }

      @Override
      public void deleteAccount(WorkerEndpoint worker, String user) throws WorkerException {
        ssh.deleteAccount(worker, user);
      }

      @Override
      public List<String> listAccounts(WorkerEndpoint worker) throws WorkerException {
        return ssh.listAccounts(worker);
      }
    };
  }

  private static int perls(SandboxWorker w) throws Exception {
    return (int) w.runInside("pgrep -x perl || true").lines().filter(l -> !l.isBlank()).count();
  }

  /**
   * The steps' end: the start's own look when it saw it (what the caller then checks is that
   * look), else polled for. Short steps usually end within the start's settle, but on a loaded
   * machine they may not, and that is no failure.
   */
  static JobPoll ended(WorkerOps ops, WorkerEndpoint e, String runDir, JobStart s) throws Exception {
    JobPoll p = s.look();
    long until = System.nanoTime() + 30_000_000_000L;
    while (!p.exited() && System.nanoTime() < until) {
      Thread.sleep(20);
      p = ops.pollJob(e, runDir, s.pgid(), 0, 1 << 20);
    }
    assertTrue(p.exited(), "the steps ended within 30 s");
    return p;
  }
}

package dev.orion.common.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A job attempt on a real sandbox worker: its throwaway user made by the start, started detached
 * as its user in its own process group, output and exit status in its run directory, a repeated
 * start runs nothing again, short steps seen ended by the start itself, a kill ends the whole
 * group, run directory and user removed in one command.
 */
class JobScriptsTest {
  @Test
  void startsOncePollsAndKills() throws Exception {
    try (SandboxWorker w = SandboxWorker.start("jobscripts");
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
      assertEquals("fifo", w.runInside("stat -c %F " + RunDirs.ROOT + "/.tick").strip(),
          "the start waits on a FIFO, not with sleep processes");
      assertEquals(List.of(), ops.listJobDirs(e).stream().filter(d -> d.endsWith(".tick")).toList(), "not a run directory");
      // Something else where the FIFO goes: the start waits with sleep instead.
      w.runInside("rm " + RunDirs.ROOT + "/.tick && touch " + RunDirs.ROOT + "/.tick");
      JobStart plain = ops.startJob(e, new JobLaunch(RunDirs.of(7, 5), "job-a2", false,
          List.of(List.of("sh", "-c", "sleep 0.02; echo late")), Map.of()), 1 << 20);
      JobPoll late = ended(ops, e, RunDirs.of(7, 5), plain);
      assertEquals(0, late.exitCode(), "the start waits with sleep and the steps still run");
      assertEquals("late\n", new String(late.chunk(), StandardCharsets.UTF_8));
      ops.removeJobDir(e, RunDirs.of(7, 5));
      ops.removeJob(e, RunDirs.of(7, 4), "job-a2");
      assertFalse(w.runInside("ls " + RunDirs.ROOT).contains("7-4"), "run directory removed");
      assertEquals("", w.runInside("getent passwd job-a2 || true").strip(), "user removed");
    }
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

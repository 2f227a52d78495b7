package dev.orion.common.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.PasswordCrypt;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Job users written by the job executor on a real sandbox worker: the lines and home a start
 * makes, everything the removal takes away, and shadow's lock files respected both ways.
 */
class JobUsersTest {
  static SandboxWorker worker;
  static SshWorkerOps ops;
  static WorkerEndpoint e;

  @BeforeAll
  static void start() {
    worker = SandboxWorker.start("jobusers");
    ops = new SshWorkerOps(new WorkerConnections(TestSsh.config()));
    e = worker.endpoint(1);
  }

  @AfterAll
  static void stop() {
    ops.close();
    worker.close();
  }

  /** Starts the script as a throwaway user and returns the look at its end. */
  private static JobPoll run(long job, String user, String script) throws Exception {
    return run(ops, job, user, script);
  }

  private static JobPoll run(WorkerOps ops, long job, String user, String script) throws Exception {
    String runDir = RunDirs.of(job, 1);
    return JobExecutorTest.ended(ops, e, runDir, ops.startJob(e, launch(runDir, user, script), 1 << 16));
  }

  private static JobLaunch launch(String runDir, String user, String script) {
    return new JobLaunch(runDir, user, true, List.of(List.of("sh", "-c", script)), Map.of());
  }

  private static String sh(String command) throws Exception {
    return worker.runInside(command).strip();
  }

  @Test
  void aStartMakesTheUserAndTheRemovalTakesAllOfItAway() throws Exception {
    JobPoll s = run(1, "job-u1", "id -un; id -Gn; touch /tmp/u1-top /var/tmp/u1-vt /dev/shm/u1-shm $HOME/u1-home");
    assertEquals(0, s.exitCode());
    assertEquals("job-u1\n" + ClientAccounts.CLIENT_GROUP + "\n", new String(s.chunk(), StandardCharsets.UTF_8),
        "its name resolves; its only group is the client group");
    String gid = sh("getent group " + ClientAccounts.CLIENT_GROUP + " | cut -d: -f3");
    String[] line = sh("grep '^job-u1:' /etc/passwd").split(":");
    assertEquals(List.of("job-u1", "x", gid, "", "/home/job-u1", "/bin/bash"),
        List.of(line[0], line[1], line[3], line[4], line[5], line[6]));
    assertTrue(Integer.parseInt(line[2]) >= JobExecutor.UID_MIN && Integer.parseInt(line[2]) <= JobExecutor.UID_MAX, line[2]);
    assertTrue(sh("grep '^job-u1:' /etc/shadow").startsWith("job-u1:!:"), "no password: locked");
    assertEquals("700 job-u1", sh("stat -c '%a %U' /home/job-u1"));
    assertTrue(ops.listAccounts(e).contains("job-u1"), "a scrub finds it");

    ops.removeJob(e, RunDirs.of(1, 1), "job-u1");
    assertFalse(worker.hasUser("job-u1"));
    assertEquals("", sh("grep '^job-u1:' /etc/shadow || true"));
    assertEquals("gone", sh("ls -d /home/job-u1 " + RunDirs.of(1, 1)
        + " /tmp/u1-top /var/tmp/u1-vt /dev/shm/u1-shm /etc/passwd.lock /etc/shadow.lock 2>/dev/null || echo gone"));
    assertEquals("640 root shadow\n644 root root", sh("stat -c '%a %U %G' /etc/shadow /etc/passwd"),
        "the files keep their owner and mode");
    assertFalse(ops.listAccounts(e).contains("job-u1"));

    // A second user after a removal, and a removal repeated: nothing to do.
    run(2, "job-u2", "true");
    ops.removeJob(e, RunDirs.of(2, 1), "job-u2");
    ops.removeJob(e, RunDirs.of(2, 1), "job-u2");
    assertFalse(worker.hasUser("job-u2"));
  }

  @Test
  void onlyJobUsersAreRemovedAndTheScrubRemovesOneLeftBehind() throws Exception {
    ops.createAccount(e, new ClientAccount("c_bob", PasswordCrypt.sha512("pw-of-bob"), null));
    WorkerException refused = assertThrows(WorkerException.class,
        () -> ops.removeJob(e, RunDirs.of(3, 1), "c_bob"));
    assertTrue(refused.getMessage().contains("not an Orion job user"), refused.getMessage());
    assertTrue(worker.hasUser("c_bob"), "a client's user is not a job user");

    run(4, "job-u4", "sleep 300 & echo left");
    String uid = sh("id -u job-u4");
    assertFalse(sh("pgrep -U " + uid + " || true").isEmpty());
    ops.deleteAccount(e, "job-u4");
    assertFalse(worker.hasUser("job-u4"), "the scrub's removal works on a job user too");
    assertEquals("", sh("pgrep -U " + uid + " || true"), "with its processes");
  }

  @Test
  void waitsForShadowsLockAndKeepsTheHoldersChange() throws Exception {
    // A shadow tool's way: lock, copy, change the copy, rename it over, unlock. Appending while it
    // holds the lock would write to the file it is about to replace, and the new user would be lost.
    sh("sh -c 'sleep 0.5; cp -p /etc/passwd /etc/passwd+;"
        + " echo zz-holder:x:59990:59990::/nonexistent:/usr/sbin/nologin >> /etc/passwd+;"
        + " mv /etc/passwd+ /etc/passwd; rm -f /etc/passwd.lock' >/dev/null 2>&1 & echo $! > /etc/passwd.lock");
    JobPoll s = run(5, "job-u5", "id -un");
    assertEquals(0, s.exitCode());
    assertTrue(worker.hasUser("zz-holder"), "the holder's change is kept");
    assertTrue(worker.hasUser("job-u5"), "and the job user was added after it");
    ops.removeJob(e, RunDirs.of(5, 1), "job-u5");

    // A lock whose process is gone is taken over; one held longer than the start waits is an error.
    sh("sh -c 'echo $$ > /etc/shadow.lock'");
    run(6, "job-u6", "true");
    assertTrue(worker.hasUser("job-u6"), "a stale lock does not stop it");
    assertEquals("", sh("ls /etc/shadow.lock 2>/dev/null || true"));
    ops.removeJob(e, RunDirs.of(6, 1), "job-u6");

    sh("sleep 30 >/dev/null 2>&1 & echo $! > /etc/passwd.lock");
    WorkerException held = assertThrows(WorkerException.class, () -> run(7, "job-u7", "true"));
    assertTrue(held.getMessage().contains("cannot lock /etc/passwd"), held.getMessage());
    assertFalse(worker.hasUser("job-u7"));
    assertEquals("", sh("ls " + RunDirs.ROOT + " | grep '^7-' || true"), "nothing started");

    sh("kill $(cat /etc/passwd.lock); rm -f /etc/passwd.lock");

    // A removal that cannot lock leaves the user whole (its lines last), and the next one finishes.
    run(8, "job-u8", "touch /tmp/u8-file");
    sh("sleep 30 >/dev/null 2>&1 & echo $! > /etc/passwd.lock");
    assertThrows(WorkerException.class, () -> ops.removeJob(e, RunDirs.of(8, 1), "job-u8"));
    assertTrue(worker.hasUser("job-u8"));
    sh("kill $(cat /etc/passwd.lock); rm -f /etc/passwd.lock");
    ops.removeJob(e, RunDirs.of(8, 1), "job-u8");
    assertFalse(worker.hasUser("job-u8"));
    assertEquals("gone", sh("ls /tmp/u8-file /home/job-u8 2>/dev/null || echo gone"));
  }

  @Test
  void aLockLeftByAStartThatDiedIsTakenOverByShadowsTools() throws Exception {
    // The start holds /etc/passwd.lock while it waits for /etc/shadow's; its executor (run for this
    // request alone, so nothing asks again) is killed there.
    WorkerOps once = JobExecutorTest.oneShot(ops);
    sh("sleep 30 >/dev/null 2>&1 & echo $! > /etc/shadow.lock");
    CompletableFuture<Throwable> start = CompletableFuture.supplyAsync(() -> {
      try {
        return run(once, 10, "job-u10", "true") == null ? null : new AssertionError("the start went through");
      } catch (Throwable t) {
        return t;
      }
    });
    String lock = "";
    for (int i = 0; i < 100 && lock.isEmpty(); i++) {
      lock = sh("od -An -c /etc/passwd.lock 2>/dev/null | tr -s ' ' || true");
    }
    assertTrue(lock.matches("[0-9 ]+\\\\0"), "digits and a NUL, as shadow writes its own: '" + lock + "'");
    sh("kill -9 " + lock.substring(0, lock.indexOf('\\')).replaceAll("[^0-9]", "")
        + "; kill $(cat /etc/shadow.lock); rm -f /etc/shadow.lock");
    assertTrue(start.get() instanceof WorkerException, String.valueOf(start.get()));
    assertEquals("", sh("useradd -M zz-after && userdel zz-after"), "useradd takes the dead start's lock over");
    assertFalse(worker.hasUser("job-u10"));
  }

  @Test
  void staleLocksAreTakenOverByOneLockerAtATime() throws Exception {
    // Ten executors at once, each making a user, meet a lock whose process is gone: two holders at
    // once would give two users the same uid (or lose a line).
    try (var in = JobExecutor.class.getResourceAsStream("job-executor.pl")) {
      sh("cat > /tmp/executor.pl <<'EOF'\n" + new String(in.readAllBytes(), StandardCharsets.UTF_8) + "EOF");
    }
    for (int round = 0; round < 5; round++) {
      StringBuilder starts = new StringBuilder();
      for (int i = 0; i < 10; i++) {
        String request = JobExecutor.start(launch(RunDirs.of(20 + round, i + 1), "job-s" + i, "true"), 0);
        starts.append("echo ").append(request).append(" | perl /tmp/executor.pl ").append(RunDirs.ROOT).append(' ')
            .append(ClientAccounts.CLIENT_GROUP).append(' ').append(JobExecutor.UID_MIN).append(' ')
            .append(JobExecutor.UID_MAX).append(" > /tmp/answer.").append(i).append(" &\n");
      }
      sh("sh -c 'printf \"%s\\0\" $$ > /etc/passwd.lock'");
      sh(starts + "wait");
      assertEquals(10, sh("cat /tmp/answer.* | grep -c '^ok new '").lines().mapToInt(Integer::parseInt).sum(),
          sh("cat /tmp/answer.*"));
      assertEquals("10 10", sh("grep '^job-s' /etc/passwd | cut -d: -f3 | sort -u | wc -l") + " "
          + sh("grep -c '^job-s' /etc/shadow"), "ten users, ten uids: never two holders");
      assertEquals("", sh("ls /etc/passwd.lock /etc/shadow.lock 2>/dev/null || true"));
      for (int i = 0; i < 10; i++) {
        ops.removeJob(e, RunDirs.of(20 + round, i + 1), "job-s" + i);
      }
    }
  }

  @Test
  void oddFilesAndUsersLeftHalfMade() throws Exception {
    // A last line without its newline keeps its own; the new user gets a line of its own.
    sh("truncate -s -1 /etc/passwd && truncate -s -1 /etc/shadow");
    String lastPasswd = sh("tail -n 1 /etc/passwd");
    String lastShadow = sh("tail -n 1 /etc/shadow");
    run(11, "job-u11", "true");
    assertEquals(lastPasswd, sh("tail -n 2 /etc/passwd | head -n 1"));
    assertEquals(lastShadow, sh("tail -n 2 /etc/shadow | head -n 1"));
    assertTrue(sh("tail -n 1 /etc/passwd").startsWith("job-u11:x:"));
    assertTrue(sh("tail -n 1 /etc/shadow").startsWith("job-u11:!:"));
    ops.removeJob(e, RunDirs.of(11, 1), "job-u11");

    // A start cut short after the user's lines: the next start makes its home.
    String gid = sh("getent group " + ClientAccounts.CLIENT_GROUP + " | cut -d: -f3");
    sh("echo 'job-u12:x:1500:" + gid + "::/home/job-u12:/bin/bash' >> /etc/passwd && echo 'job-u12:!:::::::' >> /etc/shadow");
    JobPoll s = run(12, "job-u12", "pwd");
    assertEquals("/home/job-u12\n", new String(s.chunk(), StandardCharsets.UTF_8));
    ops.removeJob(e, RunDirs.of(12, 1), "job-u12");

    // No uid left in the range: refused, nothing written.
    sh("useradd -M -u " + JobExecutor.UID_MAX + " zz-top");
    WorkerException full = assertThrows(WorkerException.class, () -> run(13, "job-u13", "true"));
    assertTrue(full.getMessage().contains("no uid left"), full.getMessage());
    assertFalse(worker.hasUser("job-u13"));
    sh("userdel zz-top");
  }
}

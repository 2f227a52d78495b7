package dev.orion.common.ssh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.worker.JobLaunch;
import dev.orion.common.worker.JobStart;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Job users written by the attempt's own scripts on a real sandbox worker: the lines and home a
 * start makes, everything the removal takes away, and shadow's lock files respected both ways.
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

  private static JobStart run(long job, String user, String script) throws WorkerException {
    return ops.startJob(e, new JobLaunch(JobScripts.runDir(job, 1), user, true,
        List.of(List.of("sh", "-c", script)), Map.of()), 1 << 16);
  }

  private static String sh(String command) throws Exception {
    return worker.runInside(command).strip();
  }

  @Test
  void aStartMakesTheUserAndTheRemovalTakesAllOfItAway() throws Exception {
    JobStart s = run(1, "job-u1", "id -un; id -Gn; touch /tmp/u1-top /var/tmp/u1-vt /dev/shm/u1-shm $HOME/u1-home");
    assertEquals(0, s.look().exitCode());
    assertEquals("job-u1\n" + ClientAccounts.CLIENT_GROUP + "\n", new String(s.look().chunk(), StandardCharsets.UTF_8),
        "its name resolves; its only group is the client group");
    String gid = sh("getent group " + ClientAccounts.CLIENT_GROUP + " | cut -d: -f3");
    String[] line = sh("grep '^job-u1:' /etc/passwd").split(":");
    assertEquals(List.of("job-u1", "x", gid, "", "/home/job-u1", "/bin/bash"),
        List.of(line[0], line[1], line[3], line[4], line[5], line[6]));
    assertTrue(Integer.parseInt(line[2]) >= JobUsers.UID_MIN && Integer.parseInt(line[2]) <= JobUsers.UID_MAX, line[2]);
    assertTrue(sh("grep '^job-u1:' /etc/shadow").startsWith("job-u1:!:"), "no password: locked");
    assertEquals("700 job-u1", sh("stat -c '%a %U' /home/job-u1"));
    assertTrue(ops.listAccounts(e).contains("job-u1"), "a scrub finds it");

    ops.removeJob(e, JobScripts.runDir(1, 1), "job-u1");
    assertFalse(worker.hasUser("job-u1"));
    assertEquals("", sh("grep '^job-u1:' /etc/shadow || true"));
    assertEquals("gone", sh("ls -d /home/job-u1 " + JobScripts.runDir(1, 1)
        + " /tmp/u1-top /var/tmp/u1-vt /dev/shm/u1-shm /etc/passwd.lock /etc/shadow.lock 2>/dev/null || echo gone"));
    assertEquals("640 root shadow\n644 root root", sh("stat -c '%a %U %G' /etc/shadow /etc/passwd"),
        "the files keep their owner and mode");
    assertFalse(ops.listAccounts(e).contains("job-u1"));

    // A second user after a removal, and a removal repeated: nothing to do.
    run(2, "job-u2", "true");
    ops.removeJob(e, JobScripts.runDir(2, 1), "job-u2");
    ops.removeJob(e, JobScripts.runDir(2, 1), "job-u2");
    assertFalse(worker.hasUser("job-u2"));
  }

  @Test
  void onlyJobUsersAreRemovedAndTheScrubRemovesOneLeftBehind() throws Exception {
    ops.createAccount(e, new ClientAccount("c_bob", PasswordCrypt.sha512("pw-of-bob"), null));
    WorkerException refused = assertThrows(WorkerException.class,
        () -> ops.removeJob(e, JobScripts.runDir(3, 1), "c_bob"));
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
    JobStart s = run(5, "job-u5", "id -un");
    assertEquals(0, s.look().exitCode());
    assertTrue(worker.hasUser("zz-holder"), "the holder's change is kept");
    assertTrue(worker.hasUser("job-u5"), "and the job user was added after it");
    ops.removeJob(e, JobScripts.runDir(5, 1), "job-u5");

    // A lock whose process is gone is taken over; one held longer than the start waits is an error.
    sh("sh -c 'echo $$ > /etc/shadow.lock'");
    run(6, "job-u6", "true");
    assertTrue(worker.hasUser("job-u6"), "a stale lock does not stop it");
    assertEquals("", sh("ls /etc/shadow.lock 2>/dev/null || true"));
    ops.removeJob(e, JobScripts.runDir(6, 1), "job-u6");

    sh("sleep 30 >/dev/null 2>&1 & echo $! > /etc/passwd.lock");
    WorkerException held = assertThrows(WorkerException.class, () -> run(7, "job-u7", "true"));
    assertTrue(held.getMessage().contains("cannot lock /etc/passwd"), held.getMessage());
    assertFalse(worker.hasUser("job-u7"));
    assertEquals("", sh("ls " + JobScripts.RUN_ROOT + " | grep '^7-' || true"), "nothing started");
    sh("kill $(cat /etc/passwd.lock); rm -f /etc/passwd.lock");
  }
}

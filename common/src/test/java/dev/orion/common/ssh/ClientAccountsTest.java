package dev.orion.common.ssh;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.ssh.WorkerException.Kind;
import dev.orion.testkit.SandboxWorker;
import dev.orion.testkit.TestSsh;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.userauth.UserAuthException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Provisioning on a real sandbox worker, checked by logging in over SSH as the client. */
class ClientAccountsTest {
  static SandboxWorker worker;
  static WorkerConnections connections;
  static ClientAccounts accounts;
  static WorkerEndpoint w;

  @BeforeAll
  static void start() {
    worker = SandboxWorker.start("accounts");
    connections = new WorkerConnections(TestSsh.config());
    accounts = new ClientAccounts(connections);
    w = worker.endpoint(1);
  }

  @AfterAll
  static void stop() {
    connections.close();
    worker.close();
  }

  @Test
  void passwordLoginWorksUntilTheUserIsDeleted() throws Exception {
    String password = "s3cret 'quoted' $pass";
    accounts.create(w, new ClientAccount("c_alice", PasswordCrypt.sha512(password), null));

    assertTrue(worker.hasUser("c_alice"));
    assertEquals("c_alice\n/home/c_alice\n", loginWithPassword("c_alice", password, "id -un; echo $HOME"));
    assertThrows(UserAuthException.class, () -> loginWithPassword("c_alice", "wrong", "true"));
    assertEquals("700\n", connections.exec(w, "stat -c %a /home/c_alice").stdout());
    // Files the client leaves where anyone may write: at the top, in its own directory, in a
    // world-writable directory of someone else's; root's own files there stay.
    connections.exec(w, "install -d -m 1777 /tmp/shared && install -d -m 0755 /tmp/roots && touch /tmp/roots/keep");
    loginWithPassword("c_alice", password, "touch /tmp/a_top /var/tmp/a_vt /dev/shm/a_shm /tmp/shared/a_nested"
        + " && mkdir /tmp/a_dir && touch /tmp/a_dir/x");

    accounts.delete(w, "c_alice");

    assertFalse(worker.hasUser("c_alice"));
    assertEquals("gone\n", connections.exec(w, "test -e /home/c_alice || echo gone").stdout());
    assertEquals("/tmp/roots/keep\n/tmp/shared\n", connections.exec(w,
        "ls -d /tmp/a_top /tmp/a_dir /tmp/shared/a_nested /var/tmp/a_vt /dev/shm/a_shm /tmp/roots/keep /tmp/shared"
            + " 2>/dev/null").stdout(), "the client's temp files are gone, root's stay");
    assertThrows(UserAuthException.class, () -> loginWithPassword("c_alice", password, "true"));
    assertFalse(hostPasswdMentions("c_alice"), "the host's /etc/passwd never sees sandbox users");
  }

  @Test
  void keyLoginWorksWithTheInstalledPublicKey() throws Exception {
    Path clientKey = TestSsh.adminKey().resolveSibling("client_key_" + System.nanoTime());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
    String pub = Files.readString(Path.of(clientKey + ".pub")).strip();
    accounts.create(w, new ClientAccount("c_bob", PasswordCrypt.sha512("unused-" + System.nanoTime()), pub));

    try (SSHClient c = client()) {
      c.authPublickey("c_bob", c.loadKeys(clientKey.toString()));
      assertEquals("c_bob\n", exec(c, "id -un"));
    }
    // The key is root's file in root's directory; root wrote nothing in the client's home.
    assertEquals("755 root\n644 root\n" + pub + "\nno .ssh\n", connections.exec(w,
        "stat -c '%a %U' /etc/ssh/orion_keys /etc/ssh/orion_keys/c_bob; cat /etc/ssh/orion_keys/c_bob;"
            + " test -e /home/c_bob/.ssh || echo no .ssh").stdout());

    // Recreated without a key, the key no longer opens the account.
    accounts.create(w, new ClientAccount("c_bob", PasswordCrypt.sha512("pw"), null));
    try (SSHClient c = client()) {
      assertThrows(UserAuthException.class, () -> c.authPublickey("c_bob", c.loadKeys(clientKey.toString())));
    }
    accounts.create(w, new ClientAccount("c_bob", PasswordCrypt.sha512("pw"), pub));
    accounts.delete(w, "c_bob");
    assertEquals("gone\n", connections.exec(w, "test -e /etc/ssh/orion_keys/c_bob || echo gone").stdout());
  }

  /**
   * The client races symlinks in its home against create runs on a node where it still has
   * processes (a respawner outside its uid stands for logins made meanwhile, so ending the
   * client's processes first does not end the attack). Root writes nothing in the home, so no
   * link can point a write, chown or chmod at a file the client must not own.
   */
  @Test
  void aSymlinkRacingClientNeverGainsAFile() throws Exception {
    Path clientKey = TestSsh.adminKey().resolveSibling("race_key_" + System.nanoTime());
    run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
    ClientAccount mallory = new ClientAccount("c_mallory", PasswordCrypt.sha512("pw"),
        Files.readString(Path.of(clientKey + ".pub")).strip());
    accounts.create(w, mallory);
    String ids = connections.exec(w, "echo $(id -u c_mallory) $(id -g c_mallory)").stdout().strip();
    String uid = ids.split(" ")[0];
    String gid = ids.split(" ")[1];
    String check = "stat -c '%U %a %n' /root /etc /etc/shadow /etc/passwd /etc/ssh/orion_keys /etc/ssh/orion_keys/c_mallory";
    // Every link the old in-home writes could have followed: .ssh at /root or /etc, the key
    // file at /etc/shadow, a temp name at /etc/passwd; respawned 20-50 ms after being killed.
    String attack = "H=/home/c_mallory; while :; do rm -rf $H/.ssh; ln -sfn /root $H/.ssh; rm -f $H/.ssh;"
        + " ln -sfn /etc $H/.ssh; rm -f $H/.ssh; mkdir -p $H/.ssh; ln -sf /etc/shadow $H/.ssh/authorized_keys;"
        + " ln -sf /etc/passwd $H/.ssh/.authorized_keys.XXXXXX; done";
    String before = connections.exec(w, check).stdout();
    String respawner = worker.runInside("nohup setsid bash -c 'while :; do setpriv --reuid=" + uid + " --regid=" + gid
        + " --clear-groups -- bash -c " + Shell.quote(attack).replace("'", "'\\''")
        + "; sleep 0.0$((2 + RANDOM % 4)); done' >/dev/null 2>&1 & echo $!").strip();
    int attempts = 1000;
    int wins = 0;
    int attackerSeen = 0;
    int failures = 0;
    try {
      for (int i = 0; i < attempts; i++) {
        try {
          accounts.create(w, mallory);
        } catch (WorkerException e) {
          failures++; // counted, not thrown: whether the attack won is checked either way
        }
        ExecResult r = connections.exec(w, check + "; pgrep -c -u " + uid + " >/dev/null && echo attacking");
        if (!r.stdout().startsWith(before)) {
          wins++;
        }
        if (r.stdout().endsWith("attacking\n")) {
          attackerSeen++;
        }
      }
    } finally {
      worker.runInside("kill -KILL " + respawner + "; true"); // the PID as the worker's namespace sees it

      accounts.delete(w, "c_mallory");
    }
    System.out.printf("[race] symlink attacker vs %d create runs: %d wins, %d failed runs (attacker running"
        + " after %d of them)%n", attempts, wins, failures, attackerSeen);
    assertTrue(before.startsWith("root "), before);
    assertEquals(0, wins, "the client gained a file");
    assertEquals(0, failures, "the attacker made create fail");
    assertTrue(attackerSeen > attempts / 10, "the attacker was running during the runs: " + attackerSeen);
    assertEquals("", connections.exec(w, "find /etc /root /var -xdev -uid " + uid + " 2>/dev/null").stdout());
  }

  @Test
  void createAndDeleteAreIdempotent() throws Exception {
    ClientAccount carol = new ClientAccount("c_carol", PasswordCrypt.sha512("first"), null);
    accounts.create(w, carol);
    accounts.create(w, carol);
    assertEquals("c_carol\n", loginWithPassword("c_carol", "first", "id -un"));

    // Re-creating with another hash (a migration retry after a password change) updates it.
    accounts.create(w, new ClientAccount("c_carol", PasswordCrypt.sha512("second"), null));
    assertEquals("c_carol\n", loginWithPassword("c_carol", "second", "id -un"));

    accounts.delete(w, "c_carol");
    accounts.delete(w, "c_carol");
    accounts.delete(w, "c_never_existed");
    assertFalse(worker.hasUser("c_carol"));
  }

  @Test
  void deleteKillsTheUsersProcessesAndFiles() throws Exception {
    accounts.create(w, new ClientAccount("c_dave", PasswordCrypt.sha512("pw"), null));
    loginWithPassword("c_dave", "pw", "nohup sleep 600 >/dev/null 2>&1 & touch /tmp/dave-was-here; echo started");
    // The background child is "sleep" only once it has exec'd.
    await().atMost(Duration.ofSeconds(10)).until(() -> connections.exec(w, "pgrep -c -u c_dave sleep").stdout(), "1\n"::equals);

    accounts.delete(w, "c_dave");

    assertEquals("0\n", connections.exec(w, "pgrep -c -x sleep || true").stdout());
    assertEquals("gone\n", connections.exec(w, "test -e /tmp/dave-was-here || echo gone").stdout());
  }

  @Test
  void listShowsOnlyClientUsers() throws Exception {
    accounts.create(w, new ClientAccount("c_erin", PasswordCrypt.sha512("pw"), null));
    accounts.create(w, new ClientAccount("c_frank", PasswordCrypt.sha512("pw"), null));
    connections.exec(w, "useradd -m plainuser");

    List<String> users = accounts.list(w);
    assertTrue(users.containsAll(List.of("c_erin", "c_frank")), users.toString());
    assertFalse(users.contains("plainuser"));
    assertFalse(users.contains("root"));

    accounts.delete(w, "c_erin");
    accounts.delete(w, "c_frank");
    assertFalse(accounts.list(w).contains("c_erin"));
  }

  @Test
  void neverTakesOverOrRemovesAUserThatIsNotAClient() throws Exception {
    connections.exec(w, "id -u sysacct >/dev/null 2>&1 || useradd -m sysacct");

    WorkerException create = assertThrows(WorkerException.class,
        () -> accounts.create(w, new ClientAccount("sysacct", PasswordCrypt.sha512("x"), null)));
    WorkerException delete = assertThrows(WorkerException.class, () -> accounts.delete(w, "sysacct"));
    WorkerException root = assertThrows(WorkerException.class, () -> accounts.delete(w, "root"));

    assertEquals(Kind.COMMAND_FAILED, create.kind());
    assertTrue(create.getMessage().contains("create user sysacct"), create.getMessage());
    assertTrue(delete.getMessage().contains("not an Orion client user"), delete.getMessage());
    assertTrue(root.getMessage().contains("node 1 (" + worker.ip() + ":" + worker.port() + ")"), root.getMessage());
    assertTrue(worker.hasUser("sysacct"));
    assertTrue(worker.hasUser("root"));
  }

  @Test
  void rejectsBadNamesAndHashesBeforeTouchingTheWorker() {
    assertFalse(ClientAccounts.isValidUserName("Alice"));
    assertFalse(ClientAccounts.isValidUserName("a;rm -rf /"));
    assertFalse(ClientAccounts.isValidUserName("-rf"));
    assertFalse(ClientAccounts.isValidUserName("a".repeat(33)));
    assertFalse(ClientAccounts.isValidUserName(""));
    assertTrue(ClientAccounts.isValidUserName("c_alice-2"));
    assertThrows(IllegalArgumentException.class, () -> new ClientAccount("ok", "$6$a$b:0:0", null));
    assertThrows(IllegalArgumentException.class, () -> new ClientAccount("ok", "$6$a$b\nroot", null));
    assertThrows(IllegalArgumentException.class, () -> new ClientAccount("ok", "$6$a$b", "not a key"));
    assertThrows(IllegalArgumentException.class, () -> accounts.delete(w, "../etc"));
  }

  private static SSHClient client() throws IOException {
    SSHClient c = new SSHClient();
    c.addHostKeyVerifier(new PinnedHostKey(worker.hostKey()));
    c.connect(worker.ip(), worker.port());
    return c;
  }

  private static String loginWithPassword(String user, String password, String command) throws IOException {
    try (SSHClient c = client()) {
      c.authPassword(user, password);
      return exec(c, command);
    }
  }

  private static String exec(SSHClient c, String command) throws IOException {
    try (Session s = c.startSession()) {
      Session.Command cmd = s.exec(command);
      String out = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
      cmd.join(10, TimeUnit.SECONDS);
      return out;
    }
  }

  private static boolean hostPasswdMentions(String user) throws IOException {
    return Files.readAllLines(Path.of("/etc/passwd")).stream().anyMatch(l -> l.startsWith(user + ":"));
  }

  private static void run(String... cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), out);
  }
}

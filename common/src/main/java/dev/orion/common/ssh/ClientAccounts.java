package dev.orion.common.ssh;

import dev.orion.common.ssh.WorkerException.Kind;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The provisioning steps for client logins on a worker. Each step is one command on the admin
 * connection (a rent waits for it) and idempotent, so a retried or re-claimed step is harmless.
 * Client users carry the supplementary group {@value #CLIENT_GROUP}; nothing here touches a user
 * without it, so a scrub can never remove or take over a system account.
 */
public final class ClientAccounts {
  /** Marks users created by Orion. */
  public static final String CLIENT_GROUP = "orion-client";

  /** Lower-case, starting with a letter or '_', at most 32 characters (utmp and useradd limits). */
  private static final Pattern USER_NAME = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

  /** Exit status the scripts use for "exists but is not ours". */
  private static final int NOT_A_CLIENT = 3;

  /**
   * Where client public keys live: one root-owned file per user in a root-owned directory, named
   * by sshd's {@code AuthorizedKeysFile /etc/ssh/orion_keys/%u .ssh/authorized_keys} (sandbox,
   * image and playbooks alike). Root never writes inside a client's home, so a link the client
   * plants there cannot redirect a write, chown or chmod.
   */
  public static final String KEYS_DIR = "/etc/ssh/orion_keys";

  // Every script starts with the values assigned from single-quoted literals ($u, $h, $k, $g, $d).
  // Optimistic: a rent waits for this, and each extra process costs ~1 ms, so the common case
  // (new user, group exists) runs useradd alone; exit 6 (no group) and 9 (user exists) take
  // the slower paths. HOME_MODE gives a private home without a chmod.
  private static final String ADD = """
      add() { useradd -m -d "/home/$u" -K HOME_MODE=0700 -s /bin/bash -G "$g" -p "$h" -- "$u"; }
      add; rc=$?
      if [ $rc -eq 6 ]; then groupadd -f -r "$g" && add; rc=$?; fi
      """;

  private static final String CREATE = "set -u\n" + ADD + """
      if [ $rc -eq 9 ]; then
        id -nG -- "$u" | tr ' ' '\n' | grep -qxF -- "$g" || { echo "user $u exists and is not an Orion client user" >&2; exit 3; }
        # Again on a node where the client may still run things (a lease that stayed home while
        # its node was away): end them first, so nothing of theirs acts while the account is reset.
        uid=$(id -u -- "$u")
        i=0
        while pkill -KILL -U "$uid" && [ $i -lt 50 ]; do i=$((i+1)); sleep 0.02; done
        usermod -p "$h" -s /bin/bash -- "$u" || exit
        home=$(getent passwd -- "$u" | cut -d: -f6)
        # A missing home is made by root in root's /home, then handed over; an existing one is
        # the client's and only its mode is set, on the directory itself (-h: never a link's target).
        if [ ! -e "$home" ] && [ ! -L "$home" ]; then
          mkdir -m 0700 -- "$home" && cp -rT /etc/skel "$home" && chown -R -- "$u:" "$home" || exit
        elif [ -d "$home" ] && [ ! -L "$home" ]; then
          chmod 0700 -- "$home" || exit
        fi
      elif [ $rc -ne 0 ]; then
        exit $rc
      fi
      set -e
      # The key goes where only root writes, replaced atomically; nothing in the home is touched.
      if [ -n "$k" ]; then
        [ -d "$d" ] || install -d -m 0755 -o root -g root -- "$d"
        t=$(mktemp "$d/.$u.XXXXXX")
        printf '%s\n' "$k" >"$t"
        chmod 0644 -- "$t"
        mv -f -T -- "$t" "$d/$u"
      else
        rm -f -- "$d/$u"
      fi
      """;

  // Both need $uid (the job executor does the same for job users). Kill first so nothing of the
  // user survives to recreate files; repeat for processes forked meanwhile. The temp directories
  // are searched only where the user could have written: a directory neither world-writable nor
  // the user's is not entered, and what the user owns goes whole.
  /** Shell fragment: kills every process of {@code $uid}, again while new ones appear. */
  private static final String KILL_ALL = """
      i=0
      while pkill -KILL -U "$uid" && [ $i -lt 50 ]; do i=$((i+1)); sleep 0.02; done
      """;
  /** Shell fragment: removes what {@code $uid} owns in the temp directories. */
  private static final String REMOVE_TEMP_FILES = """
      find /tmp /var/tmp /dev/shm -xdev \\( -type d ! -uid "$uid" ! -perm -0002 -prune \\) \\
        -o -uid "$uid" -prune -exec rm -rf -- {} + 2>/dev/null || true
      """;

  // One id for both the uid and the groups (each process costs ~1 ms).
  private static final String DELETE = """
      set -u
      x=$(LC_ALL=C id -- "$u" 2>/dev/null) || exit 0
      case "${x#*groups=}" in *"($g)"*) ;; *) echo "user $u is not an Orion client user; not touching it" >&2; exit 3 ;; esac
      uid=${x#uid=}; uid=${uid%%(*}
      """ + KILL_ALL + """
      # 12: home or mail spool already gone, 6: removed meanwhile; both leave the goal reached.
      err=$(userdel -f -r -- "$u" 2>&1) || { rc=$?; [ $rc -eq 12 ] || [ $rc -eq 6 ] || { echo "$err" >&2; exit $rc; }; }
      pkill -KILL -U "$uid" || true
      rm -f -- "$d/$u"
      """ + REMOVE_TEMP_FILES;


  // Members of $g, and users whose primary group it is (job users, worker.JobExecutor).
  private static final String LIST = """
      awk -F: -v g="$g" 'NR == FNR { if ($1 == g) { gid = $3; n = split($4, m, ","); for (i = 1; i <= n; i++) if (!seen[m[i]]++) print m[i] } next }
        gid != "" && $4 == gid && !seen[$1]++ { print $1 }' /etc/group /etc/passwd
      """;

  private final WorkerConnections connections;

  public ClientAccounts(WorkerConnections connections) {
    this.connections = connections;
  }

  /**
   * Creates the user with the given crypt hash, a bash login shell and a private home, and
   * installs the public key if the account has one. Re-running it sets the same state again.
   */
  public void create(WorkerEndpoint w, ClientAccount a) throws WorkerException {
    String script = vars(a.user(), a.passwordCrypt(), a.publicKey() == null ? "" : a.publicKey().strip()) + CREATE;
    check(w, "create user " + a.user(), connections.exec(w, script));
  }

  /** Kills every process of the user and removes the user, its home and its temp files. */
  public void delete(WorkerEndpoint w, String user) throws WorkerException {
    check(w, "delete user " + user, connections.exec(w, deleteScript(user)));
  }

  private static String deleteScript(String user) {
    requireValid(user);
    return vars(user, "", "") + DELETE;
  }

  /** The client users (members of {@value #CLIENT_GROUP}) present on the worker. */
  public List<String> list(WorkerEndpoint w) throws WorkerException {
    ExecResult r = connections.exec(w, vars("", "", "") + LIST);
    check(w, "list client users", r);
    return Arrays.stream(r.stdout().split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  public static boolean isValidUserName(String name) {
    return name != null && USER_NAME.matcher(name).matches();
  }

  public static void requireValid(String user) {
    if (!isValidUserName(user)) {
      throw new IllegalArgumentException("not a valid client user name: '" + user + "'");
    }
  }

  private static String vars(String user, String hash, String key) {
    return "u=" + Shell.quote(user) + " h=" + Shell.quote(hash) + " k=" + Shell.quote(key)
        + " g=" + Shell.quote(CLIENT_GROUP) + " d=" + Shell.quote(KEYS_DIR) + "\n";
  }

  private static void check(WorkerEndpoint w, String step, ExecResult r) throws WorkerException {
    if (!r.ok()) {
      String why = r.exitCode() == NOT_A_CLIENT ? "refused: " : "exit status " + r.exitCode() + ": ";
      throw new WorkerException(w, step, Kind.COMMAND_FAILED, why + r.stderr().strip());
    }
  }
}

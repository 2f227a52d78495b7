package dev.orion.common.worker;

import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.Shell;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The worker side of a job attempt, as small admin scripts (values single-quoted with {@link Shell}):
 *
 * <ul>
 *   <li>start: {@code mkdir} of the attempt's run directory is the start's one-time latch: a start
 *       retried after a lost connection, or repeated by the scheduler that adopted the attempt,
 *       finds the directory and only reports the process group already there. The steps run
 *       detached under {@code setsid} (their own session and process group, which is what a cancel
 *       kills) as the job's user ({@code setpriv}, no login session, a clean environment); a
 *       root-owned wrapper in the group sends stdout and stderr to {@code out} and writes the exit
 *       status to {@code exit} when the steps end, so the user cannot forge either;
 *   <li>poll: whether the group still runs (or is still coming up: its wrapper has not written
 *       pgid.w yet), the recorded exit status, the output's size and a chunk
 *       of it (base64, so the log is copied byte for byte);
 *   <li>kill: the whole process group; remove: the run directory, once the attempt is recorded.
 * </ul>
 */
public final class JobScripts {
  private static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final int NO_USER = 4;
  /** Looks 5 ms apart a start takes for the steps to end before it answers. */
  static final int SETTLE_LOOKS = 10;

  // $r: run root, $d: run dir, $u: user, $c: 1 to make $u if missing (a throwaway job user,
  // JobUsers), then the command line built from quoted words. The wrapper, the group's session
  // leader, records its pid (the group's id) in pgid.w as its first act and the steps' status in
  // exit at their end; each is a few bytes in one write, so a reader that waits for a non-empty
  // file never sees half of one. $t: when the steps were launched (bash's EPOCHREALTIME; without it
  // the start answers at once). Every process costs ~2 ms of the worker's CPU, so the common path
  // runs few: the new user's home, mkdir and the group's own. Waiting is not one of them: under
  // bash, pause is a read with a timeout on a FIFO nobody writes (opened read-write, so the open
  // never blocks), elsewhere sleep.
  private static final String START = "set -u\n" + JobUsers.FUNCTIONS + JobUsers.MAKE + """
      [ -d "$r" ] || mkdir -p -m 0711 -- "$r" || exit 1
      [ -p "$r/.tick" ] || mkfifo -m 0600 -- "$r/.tick" 2>/dev/null || :
      if [ "$c" = 1 ]; then
        { ent "$u" && [ -d "/home/$u" ]; } || mkuser || { echo "cannot make user $u" >&2; exit 1; }
      else
        ent "$u" || exit 4
      fi
      t=${EPOCHREALTIME:-}
      if mkdir -m 0755 -- "$d" 2>/dev/null; then
        st=new
        cd /
        setsid sh -c '
          d=$1; shift
          echo $$ > "$d/pgid.w"
          "$@" > "$d/out" 2>&1 < /dev/null
          echo $? > "$d/exit"
        ' sh "$d" setpriv --reuid="$uid" --regid="$gid" --init-groups -- \
      """;

  // After the launch: the group's id once the group exists (setsid runs in the child, after the
  // fork), then up to $settle looks 5 ms apart for the exit (most short steps end within them, and
  // the start's answer then carries the whole outcome), then "<new|again> <pgid> <microseconds
  // since the launch>" and a poll's answer from offset 0.
  private static final String STARTED = """
      else
        [ -d "$d" ] || { echo "cannot create $d" >&2; exit 1; }
        st=again
      fi
      i=0; while [ ! -s "$d/pgid.w" ] && [ $i -lt 400 ]; do pause 0.005; i=$((i+1)); done
      read -r p < "$d/pgid.w" || { echo "$d exists without a process group" >&2; exit 5; }
      w=0
      if [ -n "$t" ]; then
        i=0; while [ ! -s "$d/exit" ] && [ $i -lt "$settle" ]; do pause 0.005; i=$((i+1)); done
        t1=$EPOCHREALTIME
        w=$(( (${t1%[.,]*} - ${t%[.,]*}) * 1000000 + 1${t1#*[.,]} - 1${t#*[.,]} ))
      fi
      echo "$st $p $w"
      o=0
      """;

  private static final String POLL = """
      if kill -0 -- "-$p" 2>/dev/null || [ ! -s "$d/pgid.w" ]; then a=1; else a=0; fi
      e=-; [ -s "$d/exit" ] && read -r e < "$d/exit"
      s=0; [ -s "$d/out" ] && s=$(stat -c %s -- "$d/out")
      echo "$a $e $s"
      if [ "$n" -gt 0 ] && [ "$o" -lt "$s" ]; then tail -c +$((o+1)) -- "$d/out" | head -c "$n" | base64 -w0; fi
      """;

  private JobScripts() {}

  /**
   * Starts the attempt (making its user first when {@link JobLaunch#makeUser}), waits up to
   * {@value #SETTLE_LOOKS} × 5 ms for it to end, and looks at it as {@link #poll} would, copying
   * at most {@code maxBytes} of output from the start.
   */
  public static String start(JobLaunch l, int maxBytes) {
    // The run directory was checked when the launch was made (JobLaunch's constructor).
    ClientAccounts.requireValid(l.user());
    String home = "/home/" + l.user();
    StringBuilder env = new StringBuilder("env -i");
    for (Map.Entry<String, String> e : Map.of("HOME", home, "USER", l.user(), "LOGNAME", l.user(),
        "SHELL", "/bin/sh", "PATH", PATH).entrySet()) {
      if (!l.env().containsKey(e.getKey())) {
        env.append(' ').append(Shell.quote(e.getKey() + "=" + e.getValue()));
      }
    }
    l.env().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> env.append(' ').append(Shell.quote(e.getKey() + "=" + e.getValue())));
    String steps = l.steps().stream()
        .map(argv -> argv.stream().map(Shell::quote).collect(Collectors.joining(" ")))
        .collect(Collectors.joining(" && "));
    String command = "cd \"$HOME\" 2>/dev/null || cd /; " + steps;
    return "r=" + Shell.quote(RunDirs.ROOT) + " d=" + Shell.quote(l.runDir()) + " u=" + Shell.quote(l.user())
        + " c=" + (l.makeUser() ? 1 : 0) + " g=" + Shell.quote(ClientAccounts.CLIENT_GROUP)
        + " settle=" + SETTLE_LOOKS + " n=" + Math.max(0, maxBytes) + "\n"
        + START + "    " + env + " /bin/sh -c " + Shell.quote(command) + " >/dev/null 2>&1 </dev/null &\n"
        + STARTED + POLL;
  }

  public static JobStart parseStart(WorkerEndpoint w, ExecResult r) throws WorkerException {
    if (r.exitCode() == NO_USER) {
      return new JobStart(JobStart.State.NO_USER, 0, Duration.ZERO, null);
    }
    String[] lines = r.stdout().split("\n", 2);
    String[] head = lines[0].strip().split(" ");
    if (!r.ok() || head.length != 3 || lines.length < 2) {
      throw new WorkerException(w, "start job", WorkerException.Kind.COMMAND_FAILED,
          "exit status " + r.exitCode() + ": " + r.stderr().strip() + r.stdout().strip());
    }
    JobPoll look = parsePoll(w, new ExecResult(0, lines[1], ""));
    return new JobStart(head[0].equals("new") ? JobStart.State.STARTED : JobStart.State.ALREADY_STARTED,
        Integer.parseInt(head[1]), Duration.ofNanos(Long.parseLong(head[2]) * 1000), look);
  }

  /** Looks at the attempt; copies at most {@code maxBytes} of output from {@code offset}. */
  public static String poll(String runDir, int pgid, long offset, int maxBytes) {
    RunDirs.require(runDir);
    return "d=" + Shell.quote(runDir) + " p=" + pgid + " o=" + offset + " n=" + Math.max(0, maxBytes) + "\n" + POLL;
  }

  public static JobPoll parsePoll(WorkerEndpoint w, ExecResult r) throws WorkerException {
    String[] lines = r.stdout().split("\n", 2);
    String[] head = lines[0].strip().split(" ");
    if (!r.ok() || head.length != 3) {
      throw new WorkerException(w, "poll job", WorkerException.Kind.COMMAND_FAILED,
          "exit status " + r.exitCode() + ": " + r.stderr().strip());
    }
    Integer exit = head[1].equals("-") ? null : Integer.valueOf(head[1]);
    byte[] chunk = lines.length > 1 ? Base64.getDecoder().decode(lines[1].strip()) : new byte[0];
    return new JobPoll(head[0].equals("1"), exit, Long.parseLong(head[2]), chunk);
  }

  /** Kills the attempt's process group; nothing left to kill is fine. */
  public static String kill(int pgid) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("not a process group: " + pgid);
    }
    return "kill -KILL -- -" + pgid + " 2>/dev/null; true";
  }

  /** Lists the run directories on a worker, one a line (none when the root does not exist yet). */
  public static String list() {
    return "[ -d " + Shell.quote(RunDirs.ROOT) + " ] || exit 0\nfind " + Shell.quote(RunDirs.ROOT)
        + " -mindepth 1 -maxdepth 1 -type d\n";
  }

  /** The run directories in a {@link #list} answer; anything else there is not ours to touch. */
  public static java.util.List<String> parseList(WorkerEndpoint w, ExecResult r) throws WorkerException {
    if (!r.ok()) {
      throw new WorkerException(w, "list job run directories", WorkerException.Kind.COMMAND_FAILED,
          "exit status " + r.exitCode() + ": " + r.stderr().strip());
    }
    return r.stdout().lines().map(String::strip).filter(RunDirs::isRunDir).toList();
  }

  public static String remove(String runDir) {
    RunDirs.require(runDir);
    return "rm -rf -- " + Shell.quote(runDir);
  }

  /** Removes the run directory and the attempt's throwaway user with its processes and files. */
  public static String removeWithUser(String runDir, String user) {
    return JobUsers.deleteScript(runDir, user);
  }
}

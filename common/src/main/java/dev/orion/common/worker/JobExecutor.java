package dev.orion.common.worker;

import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.Shell;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The worker side of job attempts: {@code job-executor.pl}, a root program in perl-base's Perl
 * that answers one request line with one answer line, run for one request or resident on the
 * admin connection ({@link WorkerOps#ask}). A session and a shell cost a worker ~2 ms of CPU each
 * and every process ~1 ms; resident, a start costs the worker two forks (the wrapper and the
 * steps) and a removal none. What it does:
 *
 * <ul>
 *   <li>start: makes the throwaway {@code job-…} user if missing ({@link JobLaunch#makeUser}: two
 *       lines in {@code /etc/passwd} and {@code /etc/shadow} written under shadow's own lock files,
 *       password locked, primary group {@value ClientAccounts#CLIENT_GROUP}, a private home). The
 *       run directory's {@code mkdir} is the start's one-time latch: a start retried after a lost
 *       connection, or repeated by the scheduler that adopted the attempt, finds it and reports the
 *       process group already there. The steps run as the user (its groups, no login session, a
 *       clean environment) under a root wrapper that leads their own session and process group
 *       (what a cancel kills), writes its pid to {@code pgid.w} first, sends their output to
 *       {@code out} and writes their status to {@code exit}, so the user can forge neither. The
 *       answer waits up to {@value #SETTLE_LOOKS} × 5 ms for the steps to end and carries a look;
 *   <li>poll: whether the group still runs (or is still coming up: no {@code pgid.w} yet), the
 *       recorded exit status, the output's size and a chunk of it;
 *   <li>kill: the whole process group; rmdir: the run directory, once the attempt is recorded;
 *       rmuser: that and the throwaway user with its processes and files; list: the run directories.
 * </ul>
 *
 * Requests and answers carry their values hex-encoded, so any bytes pass.
 */
public final class JobExecutor {
  /** uid range of job users, as Debian's login.defs defaults. */
  static final int UID_MIN = 1000;
  static final int UID_MAX = 59999;
  /** Looks 5 ms apart a start takes for the steps to end before it answers. */
  static final int SETTLE_LOOKS = 10;
  private static final int NO_USER = 4;
  private static final HexFormat HEX = HexFormat.of();

  /** The command that runs the executor, reading requests from its standard input. */
  public static final String COMMAND = "exec perl -e " + Shell.quote(program()) + " " + Shell.quote(RunDirs.ROOT)
      + " " + Shell.quote(ClientAccounts.CLIENT_GROUP) + " " + UID_MIN + " " + UID_MAX;

  private JobExecutor() {}

  private static String program() {
    try (InputStream in = JobExecutor.class.getResourceAsStream("job-executor.pl")) {
      if (in == null) {
        throw new IllegalStateException("job-executor.pl is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A shell command that runs the executor for one request and prints its answer. */
  static String once(String request) {
    return "printf '%s\\n' " + Shell.quote(request) + " | " + COMMAND;
  }

  /**
   * Starts the attempt (making its user first when {@link JobLaunch#makeUser}), waits up to
   * {@value #SETTLE_LOOKS} × 5 ms for it to end, and looks at it as {@link #poll} would, copying
   * at most {@code maxBytes} of output from the start.
   */
  static String start(JobLaunch l, int maxBytes) {
    ClientAccounts.requireValid(l.user());
    String steps = l.steps().stream()
        .map(argv -> argv.stream().map(Shell::quote).collect(Collectors.joining(" ")))
        .collect(Collectors.joining(" && "));
    String env = l.env().entrySet().stream().sorted(Map.Entry.comparingByKey())
        .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\0"));
    return request("start", l.runDir(), l.user(), l.makeUser() ? "1" : "0", String.valueOf(SETTLE_LOOKS),
        String.valueOf(Math.max(0, maxBytes)), "cd \"$HOME\" 2>/dev/null || cd /; " + steps, env);
  }

  /** Looks at the attempt; copies at most {@code maxBytes} of output from {@code offset}. */
  static String poll(String runDir, int pgid, long offset, int maxBytes) {
    RunDirs.require(runDir);
    return request("poll", runDir, String.valueOf(requireGroup(pgid)), String.valueOf(offset),
        String.valueOf(Math.max(0, maxBytes)));
  }

  /** Kills the attempt's process group; nothing left to kill is fine. */
  static String kill(int pgid) {
    return request("kill", String.valueOf(requireGroup(pgid)));
  }

  static String removeDir(String runDir) {
    RunDirs.require(runDir);
    return request("rmdir", runDir);
  }

  /** Removes the run directory and the attempt's throwaway user with its processes and files. */
  static String removeWithUser(String runDir, String user) {
    RunDirs.require(runDir);
    ClientAccounts.requireValid(user);
    return request("rmuser", runDir, user);
  }

  static String list() {
    return request("list");
  }

  private static int requireGroup(int pgid) {
    if (pgid <= 1) {
      throw new IllegalArgumentException("not a process group: " + pgid);
    }
    return pgid;
  }

  private static String request(String op, String... args) {
    StringBuilder b = new StringBuilder(op);
    for (String a : args) {
      b.append(' ').append(HEX.formatHex(a.getBytes(StandardCharsets.UTF_8)));
    }
    return b.toString();
  }

  static JobStart parseStart(WorkerEndpoint w, String answer) throws WorkerException {
    String[] f = fields(w, "start job", answer, NO_USER);
    if (f == null) {
      return new JobStart(JobStart.State.NO_USER, 0, Duration.ZERO, null);
    }
    if (f.length != 8) {
      throw malformed(w, "start job", answer);
    }
    JobPoll look = look(w, "start job", answer, Arrays.copyOfRange(f, 4, 8));
    return new JobStart(f[1].equals("new") ? JobStart.State.STARTED : JobStart.State.ALREADY_STARTED,
        Integer.parseInt(f[2]), Duration.ofNanos(Long.parseLong(f[3]) * 1000), look);
  }

  static JobPoll parsePoll(WorkerEndpoint w, String answer) throws WorkerException {
    String[] f = fields(w, "poll job", answer, -1);
    if (f.length != 5) {
      throw malformed(w, "poll job", answer);
    }
    return look(w, "poll job", answer, Arrays.copyOfRange(f, 1, 5));
  }

  /** An answer that only says it was done. */
  static void parseDone(WorkerEndpoint w, String step, String answer) throws WorkerException {
    fields(w, step, answer, -1);
  }

  /** The run directories in a {@link #list} answer; anything else there is not ours to touch. */
  static List<String> parseList(WorkerEndpoint w, String answer) throws WorkerException {
    String[] f = fields(w, "list job run directories", answer, -1);
    return Arrays.stream(f, 1, f.length).map(JobExecutor::unhex).filter(RunDirs::isRunDir).toList();
  }

  /** "alive exit size chunk": the steps' state as the executor saw it. */
  private static JobPoll look(WorkerEndpoint w, String step, String answer, String[] f) throws WorkerException {
    try {
      Integer exit = f[1].equals("-") ? null : Integer.valueOf(f[1]);
      byte[] chunk = f[3].equals("-") ? new byte[0] : HEX.parseHex(f[3]);
      return new JobPoll(f[0].equals("1"), exit, Long.parseLong(f[2]), chunk);
    } catch (IllegalArgumentException e) {
      throw malformed(w, step, answer);
    }
  }

  /**
   * The answer's fields after "ok"; null for an error with status {@code nullFor}; any other error
   * is a failed command with the executor's message.
   */
  private static String[] fields(WorkerEndpoint w, String step, String answer, int nullFor) throws WorkerException {
    String[] f = answer.split(" ");
    if (f[0].equals("ok")) {
      return f;
    }
    if (f[0].equals("err") && f.length == 3) {
      if (f[1].equals(String.valueOf(nullFor))) {
        return null;
      }
      throw new WorkerException(w, step, WorkerException.Kind.COMMAND_FAILED, "status " + f[1] + ": " + unhex(f[2]));
    }
    if (f[0].equals("err") && f.length == 2) {
      throw new WorkerException(w, step, WorkerException.Kind.COMMAND_FAILED, "status " + f[1]);
    }
    throw malformed(w, step, answer);
  }

  private static WorkerException malformed(WorkerEndpoint w, String step, String answer) {
    return new WorkerException(w, step, WorkerException.Kind.COMMAND_FAILED,
        "unexpected answer: " + (answer.length() > 200 ? answer.substring(0, 200) + "…" : answer));
  }

  private static String unhex(String s) {
    return new String(HEX.parseHex(s), StandardCharsets.UTF_8);
  }
}

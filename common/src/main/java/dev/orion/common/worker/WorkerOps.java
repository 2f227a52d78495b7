package dev.orion.common.worker;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import java.util.List;

/**
 * What the control plane does on a worker. Loops and services depend on this, not on SSH, so their
 * logic can be tested with a recording implementation; {@link SshWorkerOps}
 * (one persistent admin connection per worker) is the one every process runs. Job attempts are
 * requests to the worker's {@link JobExecutor} ({@link #ask}), by default run through {@link #run},
 * so every implementation that runs commands runs jobs the same way.
 */
public interface WorkerOps {
  /** Runs {@code command} as the admin user; a non-zero exit is a result, not an exception. */
  ExecResult run(WorkerEndpoint worker, String command) throws WorkerException;

  /** Proves the worker answers: its sshd, the admin account and a shell work. */
  default void probe(WorkerEndpoint worker) throws WorkerException {
    ExecResult r = run(worker, "true");
    if (!r.ok()) {
      throw new WorkerException(worker, "probe", WorkerException.Kind.COMMAND_FAILED,
          "probe exited " + r.exitCode() + ": " + r.stderr().strip());
    }
  }

  /**
   * Proves the worker's sshd answers, as cheaply as the implementation can (over SSH: a keepalive
   * on the open admin connection, no process on the worker); it proves less than {@link #probe},
   * which this default falls back to.
   */
  default void ping(WorkerEndpoint worker) throws WorkerException {
    probe(worker);
  }

  /** Creates (or re-creates identically) a client account. */
  void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException;

  /** Deletes a client account with its processes and files; deleting a missing one is fine. */
  void deleteAccount(WorkerEndpoint worker, String user) throws WorkerException;

  /** The client accounts present on the worker (never system or operator accounts). */
  List<String> listAccounts(WorkerEndpoint worker) throws WorkerException;

  /**
   * Sends one request to the worker's {@link JobExecutor} and returns its answer line; here by
   * running it for that request alone, so every implementation that runs commands runs jobs the
   * same way. An implementation may keep one running instead (requests are safe to repeat).
   */
  default String ask(WorkerEndpoint worker, String request) throws WorkerException {
    ExecResult r = run(worker, JobExecutor.once(request));
    String answer = r.stdout().strip();
    if (!r.ok() || answer.isEmpty() || answer.indexOf('\n') >= 0) {
      throw new WorkerException(worker, "job executor", WorkerException.Kind.COMMAND_FAILED,
          "exit status " + r.exitCode() + ": " + r.stderr().strip());
    }
    return answer;
  }

  /**
   * Starts a job attempt detached, in its own process group, as {@code launch.user()}; at most once
   * per run directory: a repeated start (a retry, an adopting scheduler) reports the group already
   * there. Answers {@link JobStart.State#NO_USER} when the user does not exist and is not to be
   * made. The answer carries a first look at the attempt with up to {@code maxBytes} of its output.
   */
  default JobStart startJob(WorkerEndpoint worker, JobLaunch launch, int maxBytes) throws WorkerException {
    return JobExecutor.parseStart(worker, ask(worker, JobExecutor.start(launch, maxBytes)));
  }

  /** Looks at a started attempt and copies up to {@code maxBytes} of its output from {@code offset}. */
  default JobPoll pollJob(WorkerEndpoint worker, String runDir, int pgid, long offset, int maxBytes)
      throws WorkerException {
    return JobExecutor.parsePoll(worker, ask(worker, JobExecutor.poll(runDir, pgid, offset, maxBytes)));
  }

  /** Kills an attempt's process group (SIGKILL); a group already gone is fine. */
  default void killJob(WorkerEndpoint worker, int pgid) throws WorkerException {
    JobExecutor.parseDone(worker, "kill job", ask(worker, JobExecutor.kill(pgid)));
  }

  /** Removes an attempt's run directory, once its outcome and output are recorded. */
  default void removeJobDir(WorkerEndpoint worker, String runDir) throws WorkerException {
    JobExecutor.parseDone(worker, "remove " + runDir, ask(worker, JobExecutor.removeDir(runDir)));
  }

  /**
   * Removes an attempt's run directory and its throwaway user with the user's processes and files,
   * in one request, once the attempt is recorded.
   */
  default void removeJob(WorkerEndpoint worker, String runDir, String user) throws WorkerException {
    JobExecutor.parseDone(worker, "remove " + runDir + " and user " + user,
        ask(worker, JobExecutor.removeWithUser(runDir, user)));
  }

  /** The attempts' run directories present on the worker ({@link RunDirs#ROOT}). */
  default List<String> listJobDirs(WorkerEndpoint worker) throws WorkerException {
    return JobExecutor.parseList(worker, ask(worker, JobExecutor.list()));
  }

  /**
   * The node was forgotten: drop whatever is kept for it (a cached connection, which would
   * otherwise still trust the old pinned host key). Nothing to do for an implementation that keeps
   * nothing.
   */
  default void forget(long nodeId) {}
}

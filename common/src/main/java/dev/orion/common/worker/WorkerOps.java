package dev.orion.common.worker;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import java.util.List;

/**
 * What the control plane does on a worker. Loops and services depend on this, not on SSH, so their
 * logic can be tested with a recording implementation; {@link dev.orion.common.ssh.SshWorkerOps}
 * (one persistent admin connection per worker) is the one every process runs.
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

  /** Creates (or re-creates identically) a client account. */
  void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException;

  /** Deletes a client account with its processes and files; deleting a missing one is fine. */
  void deleteAccount(WorkerEndpoint worker, String user) throws WorkerException;

  /** The client accounts present on the worker (never system or operator accounts). */
  List<String> listAccounts(WorkerEndpoint worker) throws WorkerException;

  /**
   * The node was forgotten: drop whatever is kept for it (a cached connection, which would
   * otherwise still trust the old pinned host key). Nothing to do for an implementation that keeps
   * nothing.
   */
  default void forget(long nodeId) {}
}

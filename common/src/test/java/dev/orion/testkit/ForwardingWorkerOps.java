package dev.orion.testkit;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.JobLaunch;
import dev.orion.common.worker.JobPoll;
import dev.orion.common.worker.JobStart;
import dev.orion.common.worker.WorkerOps;
import java.util.List;

/**
 * Hands every operation to another {@link WorkerOps} (usually real SSH to sandbox workers), so a test
 * overrides only the operations it records or bends and the rest stay what the processes run.
 */
public class ForwardingWorkerOps implements WorkerOps {
  private final WorkerOps delegate;

  public ForwardingWorkerOps(WorkerOps delegate) {
    this.delegate = delegate;
  }

  /** Where every operation not overridden goes. */
  protected final WorkerOps delegate() {
    return delegate;
  }

  @Override
  public ExecResult run(WorkerEndpoint worker, String command) throws WorkerException {
    return delegate.run(worker, command);
  }

  @Override
  public void probe(WorkerEndpoint worker) throws WorkerException {
    delegate.probe(worker);
  }

  @Override
  public void ping(WorkerEndpoint worker) throws WorkerException {
    delegate.ping(worker);
  }

  @Override
  public void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException {
    delegate.createAccount(worker, account);
  }

  @Override
  public void deleteAccount(WorkerEndpoint worker, String user) throws WorkerException {
    delegate.deleteAccount(worker, user);
  }

  @Override
  public List<String> listAccounts(WorkerEndpoint worker) throws WorkerException {
    return delegate.listAccounts(worker);
  }

  @Override
  public String ask(WorkerEndpoint worker, String request) throws WorkerException {
    return delegate.ask(worker, request);
  }

  @Override
  public JobStart startJob(WorkerEndpoint worker, JobLaunch launch, int maxBytes) throws WorkerException {
    return delegate.startJob(worker, launch, maxBytes);
  }

  @Override
  public JobPoll pollJob(WorkerEndpoint worker, String runDir, int pgid, long offset, int maxBytes)
      throws WorkerException {
    return delegate.pollJob(worker, runDir, pgid, offset, maxBytes);
  }

  @Override
  public void killJob(WorkerEndpoint worker, int pgid) throws WorkerException {
    delegate.killJob(worker, pgid);
  }

  @Override
  public void removeJobDir(WorkerEndpoint worker, String runDir) throws WorkerException {
    delegate.removeJobDir(worker, runDir);
  }

  @Override
  public void removeJob(WorkerEndpoint worker, String runDir, String user) throws WorkerException {
    delegate.removeJob(worker, runDir, user);
  }

  @Override
  public List<String> listJobDirs(WorkerEndpoint worker) throws WorkerException {
    return delegate.listJobDirs(worker);
  }

  @Override
  public void forget(long nodeId) {
    delegate.forget(nodeId);
  }
}

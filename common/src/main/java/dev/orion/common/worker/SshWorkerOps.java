package dev.orion.common.worker;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerConnections;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import java.util.List;

/**
 * Worker operations over SSH: one persistent admin connection per worker, pinned host keys
 * ({@link WorkerConnections}), client accounts by script ({@link ClientAccounts}).
 */
public final class SshWorkerOps implements WorkerOps, AutoCloseable {
  private final WorkerConnections connections;
  private final ClientAccounts accounts;

  public SshWorkerOps(WorkerConnections connections) {
    this.connections = connections;
    this.accounts = new ClientAccounts(connections);
  }

  public WorkerConnections connections() {
    return connections;
  }

  @Override
  public ExecResult run(WorkerEndpoint worker, String command) throws WorkerException {
    return connections.exec(worker, command);
  }

  /** The job executor stays resident on the admin connection: a request costs no session. */
  @Override
  public String ask(WorkerEndpoint worker, String request) throws WorkerException {
    return connections.ask(worker, JobExecutor.COMMAND, request);
  }

  @Override
  public void ping(WorkerEndpoint worker) throws WorkerException {
    connections.ping(worker);
  }

  @Override
  public void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException {
    accounts.create(worker, account);
  }

  @Override
  public void deleteAccount(WorkerEndpoint worker, String user) throws WorkerException {
    accounts.delete(worker, user);
  }

  @Override
  public List<String> listAccounts(WorkerEndpoint worker) throws WorkerException {
    return accounts.list(worker);
  }

  @Override
  public void forget(long nodeId) {
    connections.forget(nodeId);
  }

  @Override
  public void close() {
    connections.close();
  }
}

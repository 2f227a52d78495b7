package dev.orion.testkit;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.ExecResult;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Workers as a map of client accounts per node, recording every call: for testing the logic of
 * loops and services without root or sshd. Each call can be made slow ({@link #delay}), as a
 * worker command that takes long would be, and a node can be made to fail every call
 * ({@link #fail}), as an unreachable one would. End-to-end tests use real sandbox workers instead.
 */
public final class RecordingWorkerOps implements WorkerOps {
  /** One call: which operation on which node (and for which user, if any). */
  public record Call(String op, long nodeId, String user) {}

  private final Queue<Call> calls = new ConcurrentLinkedQueue<>();
  private final Map<Long, Set<String>> accounts = new ConcurrentHashMap<>();
  private final Map<Long, WorkerException.Kind> failing = new ConcurrentHashMap<>();
  private volatile Duration delay = Duration.ZERO;
  private volatile java.util.function.Consumer<Call> onCall = c -> { };

  /** Every later call takes this long before it acts. */
  public RecordingWorkerOps delay(Duration d) {
    this.delay = d;
    return this;
  }

  /** Told of every call before it acts (and before its delay). */
  public RecordingWorkerOps onCall(java.util.function.Consumer<Call> listener) {
    this.onCall = listener;
    return this;
  }

  /** Every later call on the node fails with {@code kind} (until {@link #recover}). */
  public RecordingWorkerOps fail(long nodeId, WorkerException.Kind kind) {
    failing.put(nodeId, kind);
    return this;
  }

  public RecordingWorkerOps recover(long nodeId) {
    failing.remove(nodeId);
    return this;
  }

  /** Puts an account on a node, as a lease that was never cleaned up would leave it. */
  public RecordingWorkerOps leftover(long nodeId, String user) {
    accounts(nodeId).add(user);
    return this;
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public long count(String op, long nodeId) {
    return calls.stream().filter(c -> c.op().equals(op) && c.nodeId() == nodeId).count();
  }

  public Set<String> accountsOn(long nodeId) {
    synchronized (accounts(nodeId)) {
      return Set.copyOf(accounts(nodeId));
    }
  }

  @Override
  public ExecResult run(WorkerEndpoint worker, String command) throws WorkerException {
    record("run", worker, command);
    return new ExecResult(0, "", "");
  }

  /** Recorded as {@code ping}: a keepalive, told apart from the shell probe ({@code run}). */
  @Override
  public void ping(WorkerEndpoint worker) throws WorkerException {
    record("ping", worker, null);
  }

  @Override
  public void createAccount(WorkerEndpoint worker, ClientAccount account) throws WorkerException {
    record("create", worker, account.user());
    accounts(worker.nodeId()).add(account.user());
  }

  @Override
  public void deleteAccount(WorkerEndpoint worker, String user) throws WorkerException {
    record("delete", worker, user);
    accounts(worker.nodeId()).remove(user);
  }

  @Override
  public List<String> listAccounts(WorkerEndpoint worker) throws WorkerException {
    record("list", worker, null);
    return new ArrayList<>(accountsOn(worker.nodeId()));
  }

  /** Recorded as {@code jobdirs}; these workers run no jobs, so there are none. */
  @Override
  public List<String> listJobDirs(WorkerEndpoint worker) throws WorkerException {
    record("jobdirs", worker, null);
    return List.of();
  }

  private Set<String> accounts(long nodeId) {
    return accounts.computeIfAbsent(nodeId, id -> java.util.Collections.synchronizedSet(new TreeSet<>()));
  }

  private void record(String op, WorkerEndpoint worker, String user) throws WorkerException {
    Call call = new Call(op, worker.nodeId(), user);
    calls.add(call);
    onCall.accept(call);
    if (!delay.isZero()) {
      try {
        Thread.sleep(delay.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    WorkerException.Kind k = failing.get(worker.nodeId());
    if (k != null) {
      throw new WorkerException(worker, op, k, "node " + worker.nodeId() + " fails every call (the test says so)");
    }
  }
}

package dev.orion.api.rental;

import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs account steps on several workers at once and reports each outcome; a single worker is
 * handled on the caller's thread, since a thread hop would only add latency to the common rent.
 */
public final class Provisioner implements AutoCloseable {
  /** @param error why the step failed (any exception: a bug must not pass for success), or null */
  public record Outcome(WorkerEndpoint endpoint, Exception error) {
    public boolean ok() {
      return error == null;
    }
  }

  public record Removal(WorkerEndpoint endpoint, String user) {}

  @FunctionalInterface
  private interface Step {
    void run() throws WorkerException;
  }

  private final WorkerOps workers;
  private final ExecutorService pool;

  public Provisioner(WorkerOps workers, int parallelism) {
    this.workers = workers;
    AtomicInteger n = new AtomicInteger();
    this.pool = Executors.newFixedThreadPool(parallelism, r -> {
      Thread t = new Thread(r, "provision-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  public List<Outcome> create(List<WorkerEndpoint> endpoints, ClientAccount account) {
    return runAll(endpoints.stream().map(e -> new Job(e, () -> workers.createAccount(e, account))).toList());
  }

  public List<Outcome> delete(List<Removal> removals) {
    return runAll(removals.stream().map(r -> new Job(r.endpoint(), () -> workers.deleteAccount(r.endpoint(), r.user())))
        .toList());
  }

  private record Job(WorkerEndpoint endpoint, Step step) {
    Outcome run() {
      try {
        step.run();
        return new Outcome(endpoint, null);
      } catch (WorkerException | RuntimeException e) {
        // Every step ends in an outcome, so a rent waits for all its steps before it undoes any:
        // a step still running after the rent gave up could leave an account on a freed node.
        return new Outcome(endpoint, e);
      }
    }
  }

  private List<Outcome> runAll(List<Job> jobs) {
    if (jobs.size() == 1) {
      return List.of(jobs.get(0).run());
    }
    List<CompletableFuture<Outcome>> futures = new ArrayList<>();
    for (Job j : jobs) {
      futures.add(CompletableFuture.supplyAsync(j::run, pool));
    }
    return futures.stream().map(CompletableFuture::join).toList();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}

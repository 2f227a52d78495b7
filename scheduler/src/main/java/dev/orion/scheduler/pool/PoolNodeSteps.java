package dev.orion.scheduler.pool;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.node.NodeStatus;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.Claimant;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Consumer;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@link PoolReconciler} does to one worker of a pool, on its step threads: cordon a free
 * worker and stop it through the pool's driver ({@link #suspend}, {@link #stop}, retried when the
 * driver fails), or start it again and give it back once it answers SSH with its pinned host key
 * ({@link #resume}). Every write is fenced by the pool's claim.
 */
final class PoolNodeSteps {
  private static final Logger log = LoggerFactory.getLogger(PoolNodeSteps.class);
  private static final Duration PROBE_PAUSE = Duration.ofMillis(250);

  private final Claimant claimant;
  private final PoolConfig config;
  private final Drivers drivers;
  private final WorkerOps workers;
  private final PoolMetrics metrics;
  private final FencedWrite fenced;

  /** One write fenced by the pool's claim; false (and nothing written) once the claim is lost. */
  interface FencedWrite {
    boolean write(Claim<PoolSnapshot> claim, Consumer<Handle> step);
  }

  PoolNodeSteps(Claimant claimant, PoolConfig config, Drivers drivers, WorkerOps workers, PoolMetrics metrics,
      FencedWrite fenced) {
    this.claimant = claimant;
    this.config = config;
    this.drivers = drivers;
    this.workers = workers;
    this.metrics = metrics;
    this.fenced = fenced;
  }

  /** Cordons a free node with its restore record, then stops it. */
  void suspend(Claim<PoolSnapshot> claim, PoolSnapshot.Node n, String why) {
    PoolSnapshot s = claim.item();
    Instant now = claimant.now();
    long[] record = {0};
    write(claim, h -> {
      ReconcileDao dao = h.attach(ReconcileDao.class);
      Optional<String> status = dao.lockSuspendable(n.id(), s.pool(), now.minus(s.grace()), now);
      // Re-checked under the row lock: rented, claimed by a health check or scrub, or moved meanwhile.
      if (status.isEmpty() || status.get().equals(NodeStatus.SUSPENDED.db())) {
        return;
      }
      NodeStatus from = NodeStatus.of(status.get());
      dao.markSuspended(n.id(), now);
      record[0] = dao.insertSuspension(s.pool(), n.id(), s.driver(), now);
      EventLog.append(h, Event.node(n.id(), s.pool(), now, claimant.actor(), from, NodeStatus.SUSPENDED,
          "pool " + s.pool() + " asleep (" + why + "): suspended by driver " + s.driver()));
    });
    if (record[0] == 0) {
      return;
    }
    log.info("node {} {}->suspended: pool {} asleep", n.id(), n.status(), s.pool());
    stop(claim, new PoolSnapshot.Suspension(record[0], s.pool(), n.id(), s.driver(), null, 0, n.hostname(), n.ip(),
        n.sshPort(), n.hostKey(), NodeStatus.SUSPENDED.db()));
  }

  /** Stops a cordoned node through the driver of its restore record. */
  void stop(Claim<PoolSnapshot> claim, PoolSnapshot.Suspension x) {
    String pool = claim.item().pool();
    try {
      drivers.get(x.driver()).suspend(x.target());
      write(claim, h -> h.attach(ReconcileDao.class).stopped(x.id(), claimant.now()));
      metrics.transition(pool, "suspend", "ok");
    } catch (PoolDriver.DriverException e) {
      String why = "stopping by driver " + x.driver() + " failed (attempt " + (x.attempts() + 1) + "), retried: "
          + e.getMessage();
      log.warn("node {} suspended: {}", x.nodeId(), why);
      write(claim, h -> {
        h.attach(ReconcileDao.class).failed(x.id(), Event.truncate(e.getMessage()));
        EventLog.append(h, Event.node(x.nodeId(), pool, claimant.now(), claimant.actor(), NodeStatus.SUSPENDED,
            NodeStatus.SUSPENDED, why));
      });
      metrics.transition(pool, "suspend", "failed");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts a node this pool suspended and gives it back once it answers with its pinned key. */
  boolean resume(Claim<PoolSnapshot> claim, PoolSnapshot.Suspension x, String why) {
    String pool = claim.item().pool();
    WorkerEndpoint endpoint = new WorkerEndpoint(x.nodeId(), x.ip(), x.sshPort(), x.hostKey());
    String failure;
    try {
      drivers.get(x.driver()).resume(x.target());
      failure = awaitTrusted(endpoint);
    } catch (PoolDriver.DriverException e) {
      failure = "starting by driver " + x.driver() + " failed: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Untrusted e) {
      String reason = "came back with a host key other than the one pinned at registration: not trusted, stays"
          + " suspended until an admin forgets it (" + e.getMessage() + ")";
      log.warn("node {} suspended->suspended: {}", x.nodeId(), reason);
      write(claim, h -> {
        h.attach(ReconcileDao.class).close(x.id(), claimant.now(), "untrusted", Event.truncate(e.getMessage()));
        EventLog.append(h, Event.node(x.nodeId(), pool, claimant.now(), claimant.actor(), NodeStatus.SUSPENDED,
            NodeStatus.SUSPENDED, reason));
      });
      metrics.transition(pool, "resume", "untrusted");
      return false;
    }
    if (failure != null) {
      String reason = "restore failed (attempt " + (x.attempts() + 1) + "), retried: " + failure;
      log.warn("node {} suspended->alive: {}", x.nodeId(), reason);
      String stored = failure;
      write(claim, h -> {
        h.attach(ReconcileDao.class).failed(x.id(), Event.truncate(stored));
        EventLog.append(h, Event.node(x.nodeId(), pool, claimant.now(), claimant.actor(), NodeStatus.SUSPENDED,
            NodeStatus.SUSPENDED, reason));
      });
      metrics.transition(pool, "resume", "failed");
      metrics.restoreFailure(pool);
      return false;
    }
    boolean[] back = {false};
    write(claim, h -> {
      ReconcileDao dao = h.attach(ReconcileDao.class);
      Instant now = claimant.now();
      back[0] = dao.markResumed(x.nodeId(), now) == 1;
      dao.close(x.id(), now, back[0] ? "resumed" : null, back[0] ? null : "node no longer suspended");
      if (back[0]) {
        EventLog.append(h, Event.node(x.nodeId(), pool, now, claimant.actor(), NodeStatus.SUSPENDED, NodeStatus.ALIVE,
            "pool " + pool + " awake (" + why + "): restored by driver " + x.driver() + ", host key verified"));
      }
    });
    if (back[0]) {
      log.info("node {} suspended->alive: pool {} awake", x.nodeId(), pool);
      metrics.transition(pool, "resume", "ok");
    }
    return back[0];
  }

  /** A worker that answered with another host key than the pinned one. */
  private static final class Untrusted extends Exception {
    Untrusted(String message) {
      super(message);
    }
  }

  /** Null once the worker answers SSH with its pinned key; why not, after the restore wait. */
  private String awaitTrusted(WorkerEndpoint endpoint) throws InterruptedException, Untrusted {
    Instant deadline = Instant.now().plus(config.restoreWait());
    String last;
    while (true) {
      try {
        workers.probe(endpoint);
        return null;
      } catch (WorkerException e) {
        if (e.kind() == WorkerException.Kind.HOST_KEY_MISMATCH) {
          throw new Untrusted(e.getMessage());
        }
        last = e.getMessage();
      }
      if (Instant.now().isAfter(deadline)) {
        return "no SSH answer within " + config.restoreWait().toSeconds() + " s: " + last;
      }
      Thread.sleep(PROBE_PAUSE.toMillis());
    }
  }

  private boolean write(Claim<PoolSnapshot> claim, Consumer<Handle> step) {
    return fenced.write(claim, step);
  }
}

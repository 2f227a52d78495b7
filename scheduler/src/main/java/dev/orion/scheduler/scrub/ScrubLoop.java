package dev.orion.scheduler.scrub;

import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes unclean nodes rentable again: on every alive, unallocated node marked unclean, delete
 * every client user (members of the client group, never a system account) with its processes and
 * files, and the run directories of job attempts that are over (an attempt lost with its node
 * leaves its directory behind; a running attempt's is kept), then set {@code clean = 1}, only while
 * the claim is still ours. A node that cannot be reached keeps its mark and is retried.
 */
public final class ScrubLoop {
  private static final Logger log = LoggerFactory.getLogger(ScrubLoop.class);

  private final ClaimQueue<DirtyNode> queue;
  private final int batch;
  private final WorkerOps workers;
  private final ExecutorService ssh;
  private final Jdbi jdbi;
  private final Claimant claimant;

  public ScrubLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, int batch, WorkerOps workers,
      ExecutorService ssh) {
    this.batch = batch;
    this.workers = workers;
    this.ssh = ssh;
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.queue = new ClaimQueue<>("scrub", ClaimTable.NODES, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(ScrubDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(ScrubDao.class).load(ids), DirtyNode::id));
  }

  /** One round; returns how many nodes became clean. */
  public int tick() {
    return queue.claim(batch, claims -> {
      List<CompletableFuture<Boolean>> scrubs = claims.stream()
          .map(c -> CompletableFuture.supplyAsync(() -> scrub(c), ssh)).toList();
      // Only progress counts: a full batch of unreachable nodes must not make the loop spin.
      return (int) scrubs.stream().filter(CompletableFuture::join).count();
    });
  }

  private boolean scrub(Claim<DirtyNode> claim) {
    DirtyNode node = claim.item();
    List<String> users;
    List<String> removed;
    try {
      users = workers.listAccounts(node.worker());
      for (String user : users) {
        if (claim.lost()) {
          break; // another scheduler has the node now; it scrubs it itself
        }
        workers.deleteAccount(node.worker(), user);
      }
      removed = removeEndedRunDirs(claim);
    } catch (WorkerException | RuntimeException e) {
      log.warn("node {} unclean->clean failed, retried next round: {}", node.id(), e.getMessage());
      queue.release(List.of(claim));
      return false;
    }
    try {
      boolean marked = queue.complete(List.of(claim), (h, held) -> !held.isEmpty()
          && h.attach(NodeCleanliness.class).markClean(node.id(), node.dirtyEpoch(), claimant.now()) == 1);
      if (marked) {
        log.info("node {} unclean->clean: deleted client users {}, job run directories {}", node.id(), users, removed);
      } else {
        log.info("node {} unclean->clean not recorded: claim lapsed, or node allocated or freed again meanwhile", node.id());
      }
      return marked;
    } catch (RuntimeException e) {
      log.warn("node {} unclean->clean could not be recorded; its claim lapses and it is scrubbed again: {}",
          node.id(), e.toString());
      return false;
    }
  }

  /** Removes the run directories on the node whose attempts are over; returns them. */
  private List<String> removeEndedRunDirs(Claim<DirtyNode> claim) throws WorkerException {
    DirtyNode node = claim.item();
    List<String> dirs = workers.listJobDirs(node.worker());
    if (dirs.isEmpty()) {
      return List.of();
    }
    Set<String> running = new HashSet<>(jdbi.withHandle(h -> h.attach(ScrubDao.class).unfinished(dirs)));
    List<String> removed = new ArrayList<>();
    for (String dir : dirs) {
      if (claim.lost()) {
        break;
      }
      if (!running.contains(dir)) {
        workers.removeJobDir(node.worker(), dir);
        removed.add(dir);
      }
    }
    return removed;
  }
}

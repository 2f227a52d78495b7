package dev.orion.scheduler.scrub;

import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.ClaimTx;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.migration.Endpoint;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes unclean nodes rentable again: on every alive, unallocated node marked unclean, delete
 * every client user (members of the client group, never a system account) with its processes and
 * files, then set {@code clean = 1}. A node that cannot be reached keeps its mark and is retried.
 */
public final class ScrubLoop {
  private static final Logger log = LoggerFactory.getLogger(ScrubLoop.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final int batch;
  private final WorkerOps workers;
  private final ExecutorService ssh;

  public ScrubLoop(Jdbi jdbi, Claimant claimant, int batch, WorkerOps workers, ExecutorService ssh) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.batch = batch;
    this.workers = workers;
    this.ssh = ssh;
  }

  /** One round; returns how many nodes became clean. */
  public int tick() {
    Instant now = claimant.now();
    List<Endpoint> nodes = ClaimTx.run(jdbi, h -> {
      ScrubDao dao = h.attach(ScrubDao.class);
      List<Long> ids = dao.lockDue(now, batch);
      if (ids.isEmpty()) {
        return List.<Endpoint>of();
      }
      dao.claim(ids, claimant.id(), claimant.until(now));
      return dao.load(ids);
    });
    List<CompletableFuture<Boolean>> scrubs = nodes.stream()
        .map(n -> CompletableFuture.supplyAsync(() -> scrub(n), ssh)).toList();
    // Only progress counts: a full batch of unreachable nodes must not make the loop spin.
    return (int) scrubs.stream().filter(CompletableFuture::join).count();
  }

  private boolean scrub(Endpoint node) {
    try {
      List<String> users = workers.listAccounts(node.worker());
      for (String user : users) {
        workers.deleteAccount(node.worker(), user);
      }
      int marked = jdbi.withExtension(ScrubDao.class,
          dao -> dao.markClean(node.id(), claimant.id(), claimant.now()));
      if (marked == 1) {
        log.info("node {} unclean->clean: deleted client users {}", node.id(), users);
        return true;
      }
      log.info("node {} unclean->clean not recorded: claim lapsed or node allocated meanwhile", node.id());
      return false;
    } catch (WorkerException | RuntimeException e) {
      log.warn("node {} unclean->clean failed, retried next round: {}", node.id(), e.getMessage());
      try {
        jdbi.useExtension(ScrubDao.class, dao -> dao.unclaim(node.id(), claimant.id()));
      } catch (RuntimeException dbDown) {
        // the claim lapses by itself
      }
      return false;
    }
  }
}

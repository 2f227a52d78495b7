package dev.orion.scheduler;

import dev.orion.common.db.Database;
import dev.orion.scheduler.SchedulerConfig.LoopName;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.scheduler.expiry.ExpiryLoop;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One scheduler instance: the loops its configuration names, sharing one database pool. */
public final class Scheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

  private final SchedulerConfig config;
  private final List<Loop> loops = new ArrayList<>();

  public Scheduler(SchedulerConfig config, Database db, Clock clock) {
    this.config = config;
    Claimant claimant = new Claimant(config.id(), config.claimTimeout(), clock);
    if (config.runs(LoopName.EXPIRY)) {
      // Until the SSH layer is wired in, users on alive nodes are left for the scrub loop.
      ExpiryLoop expiry = new ExpiryLoop(db.jdbi(), claimant, config.expiryBatch(), lease -> false);
      loops.add(new Loop("expiry", config.expiryInterval(), config.expiryBatch(), expiry::tick));
    }
  }

  public Scheduler start() {
    loops.forEach(Loop::start);
    log.info("scheduler {} running {}", config.id(), config.loops());
    return this;
  }

  @Override
  public void close() {
    loops.forEach(Loop::stop);
    log.info("scheduler {} stopped", config.id());
  }
}

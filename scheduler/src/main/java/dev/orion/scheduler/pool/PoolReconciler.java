package dev.orion.scheduler.pool;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.schedule.Action;
import dev.orion.common.schedule.CachedTimetable;
import dev.orion.common.schedule.CronExpression;
import dev.orion.common.schedule.CronTimetable;
import dev.orion.common.schedule.PoolOverride;
import dev.orion.common.schedule.Timetable;
import dev.orion.common.schedule.WorkingHours;


import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.ClaimTx;
import dev.orion.scheduler.claim.Claimant;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts pools to sleep and wakes them: claimed work on the claim queue, one row per pool
 * ({@code pool_states}). Each round reads the claimed pools in bulk, asks {@link PoolDecision}
 * what to do, and applies the plan:
 *
 * <ul>
 *   <li>going asleep: before-sleep hooks (ArgoCD sync removed, webhooks), the pool recorded asleep;
 *   <li>each free worker past its grace period is cordoned ({@code suspended}, with its restore
 *       record, in one transaction) and then stopped through the driver; a failed stop is retried;
 *   <li>waking: each worker of an open restore record is started by the driver that stopped it,
 *       must answer SSH with its pinned host key, and only then is alive again; one with another
 *       key stays out (the record is closed as untrusted), a failed restore is counted, logged as
 *       an event and retried next round; then the pool is recorded awake and the after-wake hooks
 *       run (ArgoCD sync put back, webhooks).
 * </ul>
 *
 * The steps on single workers are {@link PoolNodeSteps}. Every write is fenced by the pool's
 * claim, so a scheduler that lost it writes nothing; every step is idempotent, so what a dead
 * scheduler left half done is finished by the next one.
 */
public final class PoolReconciler {
  private static final Logger log = LoggerFactory.getLogger(PoolReconciler.class);

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final PoolConfig config;
  private final ClaimQueue<PoolSnapshot> queue;
  private final Drivers drivers;
  private final WorkerOps workers;
  private final PoolHooks hooks;
  private final PoolMetrics metrics;
  private final ExecutorService steps;
  private final PoolNodeSteps nodes;
  /**
   * Parsed schedules by their stored text: parsing a cron with cron-utils costs more than
   * evaluating it, and schedules rarely change. An edited schedule is a new key. Each remembers
   * its state until its next change ({@link CachedTimetable}), so a round evaluates a pool's
   * crons or hours only when its state may have changed since the last round.
   */
  private final Map<ReconcileDao.ScheduleRow, Optional<Timetable>> timetables = new java.util.concurrent.ConcurrentHashMap<>();
  private static final int MAX_CACHED_TIMETABLES = 20_000;
  private volatile Instant lastDiscovery = Instant.MIN;

  public PoolReconciler(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, PoolConfig config, Drivers drivers,
      WorkerOps workers, PoolHooks hooks, PoolMetrics metrics, ExecutorService steps) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.config = config;
    this.drivers = drivers;
    this.workers = workers;
    this.hooks = hooks;
    this.metrics = metrics;
    this.steps = steps;
    this.queue = new ClaimQueue<>("pool", ClaimTable.POOL_STATES, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(ReconcileDao.class).lockDue(now, limit), this::load, PoolSnapshot::stateId));
    this.nodes = new PoolNodeSteps(claimant, config, drivers, workers, metrics, this::write);
  }

  /** One round; returns how many pools it looked at (settled at once or claimed). */
  public int tick() {
    discover();
    int[] settled = {0};
    int claimed = queue.claim(config.batch(), (h, pools, now) -> {
      List<PoolSnapshot> work = settle(h, pools, now);
      settled[0] = pools.size() - work.size();
      return work;
    }, claims -> {
      if (claims.isEmpty()) {
        return 0;
      }
      for (Claim<PoolSnapshot> c : claims) {
        try {
          reconcile(c);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        } catch (RuntimeException e) {
          log.warn("pool {}: reconciliation failed, retried next round", c.item().pool(), e);
        }
      }
      Instant next = claimant.now().plus(config.interval());
      queue.complete(claims, (h, held) -> {
        if (!held.isEmpty()) {
          h.attach(ReconcileDao.class).nextCheck(held.stream().map(Claim::id).toList(), next);
        }
        return null;
      });
      return claims.size();
    });
    return settled[0] + claimed;
  }

  /**
   * Most rounds find most pools as they should be: those the decision has nothing for at
   * {@code now} are settled in the claiming transaction, under its row locks, with their next
   * check as their only write; the others are returned, to be claimed and reconciled.
   */
  private List<PoolSnapshot> settle(Handle h, List<PoolSnapshot> pools, Instant now) {
    List<Long> idle = new ArrayList<>(pools.size());
    List<PoolSnapshot> work = new ArrayList<>();
    for (PoolSnapshot s : pools) {
      boolean nothing;
      try {
        nothing = PoolDecision.decide(s, now).idle();
      } catch (RuntimeException e) {
        nothing = false; // claimed: its round fails and says why, as any failed reconciliation
      }
      if (nothing) {
        idle.add(s.stateId());
      } else {
        work.add(s);
      }
    }
    if (!idle.isEmpty()) {
      h.attach(ReconcileDao.class).nextCheck(idle, now.plus(config.interval()));
    }
    return work;
  }

  /** Gives every pool named anywhere its row; a pool is reconciled from its first round on. */
  private void discover() {
    // Once per interval is enough: a new pool waits at most that long for its first round.
    Instant now = Instant.now();
    if (now.isBefore(lastDiscovery.plus(config.interval()))) {
      return;
    }
    lastDiscovery = now;
    try {
      ClaimTx.run(jdbi, h -> h.attach(ReconcileDao.class).discover(claimant.now()));
    } catch (RuntimeException e) {
      // Two schedulers inserting the same new pool may deadlock; the next round inserts it.
      log.debug("pool discovery failed, retried next round: {}", e.toString());
    }
  }

  private List<PoolSnapshot> load(Handle h, List<Long> ids) {
    ReconcileDao dao = h.attach(ReconcileDao.class);
    Instant now = claimant.now();
    List<ReconcileDao.StateRow> states = dao.states(ids, now);
    List<String> pools = states.stream().map(ReconcileDao.StateRow::pool).toList();
    Map<String, List<PoolSnapshot.Node>> nodes = dao.nodes(pools).stream()
        .collect(Collectors.groupingBy(PoolSnapshot.Node::pool));
    List<String> overridden = pools(states, ReconcileDao.StateRow::overridden);
    Map<String, List<ReconcileDao.OverrideRow>> overrides = overridden.isEmpty() ? Map.of()
        : dao.overrides(overridden, now).stream().collect(Collectors.groupingBy(ReconcileDao.OverrideRow::pool));
    List<String> suspending = pools(states, ReconcileDao.StateRow::suspending);
    Map<String, List<PoolSnapshot.Suspension>> suspensions = suspending.isEmpty() ? Map.of()
        : dao.openSuspensions(suspending).stream().collect(Collectors.groupingBy(PoolSnapshot.Suspension::pool));
    List<String> hooked = pools(states, ReconcileDao.StateRow::hooked);
    Map<String, List<PoolSnapshot.Webhook>> webhooks = hooked.isEmpty() ? Map.of()
        : dao.webhooks(hooked).stream().collect(Collectors.groupingBy(PoolSnapshot.Webhook::pool));
    List<PoolSnapshot> out = new ArrayList<>(states.size());
    for (ReconcileDao.StateRow st : states) {
      String pool = st.pool();
      ReconcileDao.SettingsRow set = st.settings();
      Optional<Timetable> timetable = Optional.empty();
      String scheduleError = null;
      try {
        ReconcileDao.ScheduleRow row = st.schedule();
        if (row != null && row.active()) {
          if (timetables.size() > MAX_CACHED_TIMETABLES) {
            timetables.clear();
          }
          timetable = timetables.computeIfAbsent(row, r -> timetable(r).map(CachedTimetable::of));
        }
      } catch (RuntimeException e) {
        scheduleError = e.getMessage();
      }
      List<PoolOverride> ovs = overrides.getOrDefault(pool, List.of()).stream()
          .map(o -> new PoolOverride(Action.valueOf(o.action().toUpperCase(Locale.ROOT)), o.createdAt(), o.until()))
          .toList();
      out.add(new PoolSnapshot(st.id(), pool, config.protectedPools().contains(pool),
          set == null ? config.defaultDriver() : set.driver(),
          Duration.ofMinutes(set == null ? PoolDefaults.GRACE_MINUTES : set.graceMinutes()),
          set == null || set.argocdApps().isEmpty() ? List.of() : Arrays.asList(set.argocdApps().split(",")),
          timetable, scheduleError, ovs, st.applied().equals("asleep") ? Action.SLEEP : Action.WAKE, st.argocdSaved(),
          nodes.getOrDefault(pool, List.of()), suspensions.getOrDefault(pool, List.of()),
          webhooks.getOrDefault(pool, List.of())));
    }
    return out;
  }

  /** The pools flagged by {@code has}: those with rows to read in one of the per-pool tables. */
  private static List<String> pools(List<ReconcileDao.StateRow> states,
      java.util.function.Predicate<ReconcileDao.StateRow> has) {
    return states.stream().filter(has).map(ReconcileDao.StateRow::pool).toList();
  }

  /** The schedule as the API stored it (cleaned and validated there). */
  static Optional<Timetable> timetable(ReconcileDao.ScheduleRow row) {
    ZoneId zone = ZoneId.of(row.timezone());
    if (row.cronStart() != null) {
      return Optional.of(new CronTimetable(CronExpression.parse("cron_start", row.cronStart()),
          CronExpression.parse("cron_stop", row.cronStop()), zone));
    }
    if (row.uptime() != null) {
      List<String> holidays = row.holidays().isEmpty() ? List.of() : Arrays.asList(row.holidays().split(","));
      return Optional.of(WorkingHours.parse(row.uptime(), holidays, zone));
    }
    return Optional.empty();
  }

  private void reconcile(Claim<PoolSnapshot> claim) throws InterruptedException {
    PoolSnapshot s = claim.item();
    PoolPlan plan = PoolDecision.decide(s, claimant.now());
    if (plan.idle()) {
      return;
    }
    String pool = s.pool();
    for (PoolSnapshot.Suspension x : plan.stale()) {
      write(claim, h -> {
        if (h.attach(ReconcileDao.class).close(x.id(), claimant.now(), null,
            "node became " + x.status() + " while suspended: taken out of suspension by someone else") == 1) {
          log.info("pool {}: node {} is {} without this pool waking it; its restore record is closed", pool,
              x.nodeId(), x.status());
        }
      });
    }
    if (plan.enterSleep() && !goToSleep(claim, plan)) {
      return;
    }
    List<CompletableFuture<Void>> work = new ArrayList<>();
    for (PoolSnapshot.Node n : plan.suspend()) {
      work.add(CompletableFuture.runAsync(() -> nodes.suspend(claim, n, plan.why()), steps));
    }
    for (PoolSnapshot.Suspension x : plan.stopAgain()) {
      work.add(CompletableFuture.runAsync(() -> nodes.stop(claim, x), steps));
    }
    int[] restored = new int[1];
    for (PoolSnapshot.Suspension x : plan.resume()) {
      work.add(CompletableFuture.runAsync(() -> {
        if (nodes.resume(claim, x, plan.why())) {
          synchronized (restored) {
            restored[0]++;
          }
        }
      }, steps));
    }
    for (CompletableFuture<Void> f : work) {
      try {
        f.join();
      } catch (RuntimeException e) {
        log.warn("pool {}: a step failed unexpectedly, retried next round", pool, e);
      }
    }
    if (plan.leaveSleep() && !claim.lost()) {
      String why = plan.why() + "; " + restored[0] + " of " + plan.resume().size() + " workers restored";
      if (write(claim, h -> {
        h.attach(ReconcileDao.class).applied(s.stateId(), "awake", claimant.now());
        EventLog.append(h, Event.pool(pool, claimant.now(), claimant.actor(), "asleep", "awake", why));
      })) {
        log.info("pool {} asleep->awake: {}", pool, why);
        metrics.transition(pool, "wake", "ok");
        if (plan.restoreArgo()) {
          restoreArgo(claim);
        }
        notify(claim, "pool.wake", "awake", plan.why());
      }
    } else if (plan.restoreArgo() && !claim.lost()) {
      restoreArgo(claim); // an earlier round woke the pool but could not put ArgoCD back
    }
  }

  /** Before-sleep hooks, then the pool is recorded asleep; false when ArgoCD could not be told. */
  private boolean goToSleep(Claim<PoolSnapshot> claim, PoolPlan plan) throws InterruptedException {
    PoolSnapshot s = claim.item();
    String saved;
    try {
      saved = hooks.disableSync(s.argocdApps(), s.argocdSaved());
    } catch (java.io.IOException | RuntimeException e) {
      String why = "ArgoCD automated sync could not be removed, sleep retried next round: " + e.getMessage();
      log.warn("pool {} awake->asleep postponed: {}", s.pool(), why);
      write(claim, h -> EventLog.append(h, Event.pool(s.pool(), claimant.now(), claimant.actor(), "awake", "awake", why)));
      metrics.transition(s.pool(), "sleep", "failed");
      return false;
    }
    notify(claim, "pool.sleep", "awake", plan.why());
    boolean done = write(claim, h -> {
      ReconcileDao dao = h.attach(ReconcileDao.class);
      if (saved != null) {
        dao.argocdSaved(s.stateId(), saved);
      }
      dao.applied(s.stateId(), "asleep", claimant.now());
      EventLog.append(h, Event.pool(s.pool(), claimant.now(), claimant.actor(), "awake", "asleep", plan.why()));
    });
    if (done) {
      log.info("pool {} awake->asleep: {}", s.pool(), plan.why());
      metrics.transition(s.pool(), "sleep", "ok");
    }
    return done;
  }

  private void notify(Claim<PoolSnapshot> claim, String event, String state, String why) throws InterruptedException {
    PoolSnapshot s = claim.item();
    if (s.webhooks().isEmpty()) {
      return;
    }
    List<String> outcomes = hooks.notify(s.webhooks(), s.pool(), event, why, claimant.now());
    write(claim, h -> EventLog.append(h, outcomes.stream()
        .map(o -> Event.pool(s.pool(), claimant.now(), claimant.actor(), state, state, o)).toList()));
  }

  private void restoreArgo(Claim<PoolSnapshot> claim) throws InterruptedException {
    PoolSnapshot s = claim.item();
    try {
      hooks.restoreSync(s.argocdSaved());
      write(claim, h -> {
        h.attach(ReconcileDao.class).argocdSaved(s.stateId(), null);
        EventLog.append(h, Event.pool(s.pool(), claimant.now(), claimant.actor(), "awake", "awake",
            "ArgoCD automated sync put back as it was"));
      });
    } catch (java.io.IOException | RuntimeException e) {
      String why = "ArgoCD automated sync could not be put back, retried next round: " + e.getMessage();
      log.warn("pool {}: {}", s.pool(), why);
      write(claim, h -> EventLog.append(h, Event.pool(s.pool(), claimant.now(), claimant.actor(), "awake", "awake", why)));
    }
  }

  /** One write fenced by the pool's claim; false (and nothing written) once the claim is lost. */
  boolean write(Claim<PoolSnapshot> claim, Consumer<Handle> step) {
    try {
      return queue.within(List.of(claim), (h, held) -> {
        if (held.isEmpty()) {
          return false;
        }
        step.accept(h);
        return true;
      });
    } catch (RuntimeException e) {
      log.warn("pool {}: a write failed, the step is retried next round: {}", claim.item().pool(), e.toString());
      return false;
    }
  }
}

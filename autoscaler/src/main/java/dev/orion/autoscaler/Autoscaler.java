package dev.orion.autoscaler;

import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.caddy.UpstreamPlan;
import dev.orion.autoscaler.policy.Decision;
import dev.orion.autoscaler.policy.HpaPolicy;
import dev.orion.autoscaler.policy.Recommendation;
import dev.orion.autoscaler.policy.ReplicaSample;
import dev.orion.autoscaler.policy.ScalingPolicy;
import dev.orion.autoscaler.replica.ReadinessProbe;
import dev.orion.autoscaler.replica.Replica;
import dev.orion.autoscaler.replica.ReplicaDriver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The scaling loop: observe replicas, let {@link HpaPolicy} decide, apply the decision.
 *
 * <p>Ordering is what keeps clients from seeing errors: a new replica enters Caddy only after its
 * own {@code /api/ready} answered 200; a leaving one leaves Caddy first, then waits until Caddy
 * reports no request in flight to it (bounded by the drain timeout) plus a short grace, and only
 * then is it stopped. Caddy's upstream lists are reconciled to the serving set on every tick, so
 * a Caddy restart or a replica that died on its own is corrected on the next tick.
 */
public final class Autoscaler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);

  /**
   * Timings of the loop, separate from the policy's knobs.
   *
   * @param cpuWarmup how long after joining a replica's CPU is not counted: a JVM compiling its
   *     hot paths burns CPU that says nothing about load, and counting it scales up for nothing
   *     (it is then treated like a missing metric, see {@link HpaPolicy})
   */
  public record Timing(
      Duration interval, Duration readyTimeout, Duration drainTimeout, Duration drainGrace,
      Duration goneGrace, Duration cpuWarmup) {}

  private final ReplicaDriver driver;
  private final CaddyAdmin caddy;
  private final ReadinessProbe probe;
  private final ScalingPolicy policy;
  private final Timing timing;
  private final Clock clock;
  private final boolean firstReplicaOwnsSchema;
  private final int warmSpares;
  private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
  /** Dial addresses of replicas that died, kept in Caddy until this instant (see observe). */
  private final Map<String, Instant> gone = new ConcurrentHashMap<>();
  private final CpuReadings cpu;
  private final ExecutorService drains = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "autoscaler-drain");
    t.setDaemon(true);
    return t;
  });
  private ScheduledExecutorService ticker;
  private List<Recommendation> history = List.of();
  private boolean anyServed;
  private volatile Decision lastDecision;

  public Autoscaler(ReplicaDriver driver, CaddyAdmin caddy, ReadinessProbe probe,
      ScalingPolicy policy, Timing timing, Clock clock, boolean firstReplicaOwnsSchema) {
    this(driver, caddy, probe, policy, timing, clock, firstReplicaOwnsSchema, 0);
  }

  /**
   * @param warmSpares replicas kept started and ready but out of Caddy, so that a scale-up is a
   *     Caddy change instead of a JVM start (seconds instead of tens of seconds on a busy
   *     machine); they use memory, not CPU, and are not counted by the policy
   */
  public Autoscaler(ReplicaDriver driver, CaddyAdmin caddy, ReadinessProbe probe,
      ScalingPolicy policy, Timing timing, Clock clock, boolean firstReplicaOwnsSchema,
      int warmSpares) {
    this.driver = driver;
    this.caddy = caddy;
    this.cpu = new CpuReadings(driver);
    this.probe = probe;
    this.policy = policy;
    this.timing = timing;
    this.clock = clock;
    this.firstReplicaOwnsSchema = firstReplicaOwnsSchema;
    this.warmSpares = warmSpares;
  }

  public synchronized void start() {
    if (ticker != null) {
      return;
    }
    ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "autoscaler-tick"));
    ticker.scheduleWithFixedDelay(this::safeTick, 0, timing.interval().toMillis(),
        TimeUnit.MILLISECONDS);
    log.info("autoscaler started: driver {}, {}, every {}", driver.name(), caddy,
        timing.interval());
  }

  /** Stops ticking and waits for drains in progress; does not stop the replicas themselves. */
  public synchronized void stop() {
    if (ticker == null) {
      return;
    }
    ticker.shutdown();
    drains.shutdown();
    try {
      ticker.awaitTermination(timing.interval().toMillis() + 30_000, TimeUnit.MILLISECONDS);
      drains.awaitTermination(timing.drainTimeout().plus(timing.drainGrace()).toMillis() + 30_000,
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ticker = null;
    log.info("autoscaler stopped");
  }

  @Override
  public void close() {
    stop();
  }

  /** Replicas currently in Caddy's rotation (for status output and tests). */
  public List<Replica> serving() {
    return tracked.values().stream().filter(t -> t.phase == Phase.SERVING)
        .map(t -> t.replica).sorted(Comparator.comparing(Replica::id)).toList();
  }

  /** Replicas that count toward the current size: starting or serving, not leaving or spare. */
  public List<Replica> active() {
    return tracked.values().stream().filter(Tracked::counts)
        .map(t -> t.replica).sorted(Comparator.comparing(Replica::id)).toList();
  }

  /** Warm spares, starting or ready. */
  public List<Replica> spares() {
    return tracked.values().stream().filter(t -> t.spare && t.phase != Phase.LEAVING)
        .map(t -> t.replica).sorted(Comparator.comparing(Replica::id)).toList();
  }

  public Decision lastDecision() {
    return lastDecision;
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      log.error("autoscaler tick failed: {}", e.toString(), e);
    }
  }

  /** One round; public so that a test can drive the loop by hand with a settable clock. */
  public synchronized void tick() {
    Instant now = clock.instant();
    observe(now);
    reconcileCaddy();
    List<ReplicaSample> samples = sample(now);
    Decision d = HpaPolicy.decide(samples, policy, now, history);
    history = d.history();
    lastDecision = d;
    if (d.changes()) {
      log.info("scale {} -> {}: {}", d.current(), d.desired(), d.reason());
      apply(d, now);
    } else {
      log.debug("hold at {}: {}", d.current(), d.reason());
    }
    keepSpares(now);
  }

  /** Syncs the tracked set with the driver's list and promotes replicas that became ready. */
  private void observe(Instant now) {
    List<Replica> running = driver.list();
    Set<String> ids = new TreeSet<>();
    for (Replica r : running) {
      ids.add(r.id());
      tracked.computeIfAbsent(r.id(), k -> {
        log.info("replica {} found, waiting for /api/ready", r);
        return new Tracked(r, Phase.STARTING, now, false);
      });
    }
    for (Tracked t : List.copyOf(tracked.values())) {
      if (!ids.contains(t.replica.id()) && t.phase != Phase.LEAVING) {
        log.warn("replica {} is gone ({} -> removed)", t.replica, t.phase);
        tracked.remove(t.replica.id());
        if (t.phase == Phase.SERVING) {
          // Caddy abandons a request's retries when its config is reloaded, so removing a dead
          // replica at once could fail the very requests that are being retried away from it.
          // Its health checks already route around it; the config catches up a little later.
          gone.put(t.replica.dial(), now.plus(timing.goneGrace()));
        }
      }
    }
    for (Tracked t : List.copyOf(tracked.values())) {
      if (t.phase != Phase.STARTING) {
        continue;
      }
      try {
        ReadinessProbe.Readiness readiness = probe.check(t.replica);
        if (readiness == ReadinessProbe.Readiness.WAITING) {
          // Alive and waiting for its database: a replacement would wait the same way, and
          // replacing it again and again is what churned replicas while the database was down.
          if (!t.waitLogged && Duration.between(t.since, now).compareTo(timing.readyTimeout()) > 0) {
            log.warn("replica {} still waiting for its database after {}; kept", t.replica,
                timing.readyTimeout());
            t.waitLogged = true;
          }
          t.readyClock = now;
        } else if (readiness == ReadinessProbe.Readiness.READY) {
          if (t.spare) {
            t.phase = Phase.STANDBY;
            log.info("replica {} ready (STARTING -> STANDBY), kept warm out of Caddy",
                t.replica);
          } else {
            t.phase = Phase.SERVING;
            t.servingSince = now;
            anyServed = true;
            log.info("replica {} ready (STARTING -> SERVING), joining Caddy", t.replica);
          }
        } else if (Duration.between(t.readyClock, now).compareTo(timing.readyTimeout()) > 0) {
          log.warn("replica {} not ready after {} (STARTING -> LEAVING)", t.replica,
              timing.readyTimeout());
          leave(t, false);
        }
      } catch (RuntimeException e) {
        log.error("replica {}: readiness check failed: {}", t.replica, e.toString());
      }
    }
  }

  /** Makes every managed reverse_proxy list exactly the serving replicas. */
  private void reconcileCaddy() {
    Instant now = clock.instant();
    gone.values().removeIf(until -> !until.isAfter(now));
    Set<String> dials = new TreeSet<>(gone.keySet());
    serving().forEach(r -> dials.add(r.dial()));
    List<String> wanted = List.copyOf(dials);
    UpstreamPlan plan = caddy.reconcile(wanted);
    if (plan.changed() && plan.before().equals(wanted)) {
      log.info("caddy handlers tagged {}", plan.handlerIds());
    } else if (plan.changed()) {
      log.info("caddy {} upstreams {} -> {}", plan.handlerIds(), plan.before(), wanted);
    }
  }

  /**
   * The counted replicas' CPU; a replica still in its warm-up reports none, since a fresh JVM's
   * own start-up would otherwise ask for a scale-up by itself.
   */
  private List<ReplicaSample> sample(Instant now) {
    List<Tracked> counted = tracked.values().stream().filter(Tracked::counts).toList();
    List<OptionalDouble> readings = cpu.read(counted.stream().map(t -> t.replica).toList());
    List<ReplicaSample> samples = new ArrayList<>();
    for (int i = 0; i < counted.size(); i++) {
      Tracked t = counted.get(i);
      OptionalDouble reading = readings.get(i);
      boolean warmingUp = t.servingSince != null
          && now.isBefore(t.servingSince.plus(timing.cpuWarmup()));
      samples.add(new ReplicaSample(t.replica.id(), t.phase == Phase.SERVING,
          warmingUp ? OptionalDouble.empty() : reading));
    }
    return samples;
  }

  private void apply(Decision d, Instant now) {
    if (d.delta() > 0) {
      int starts = d.delta() - promoteSpares(d.delta(), now);
      boolean bootstrapping = firstReplicaOwnsSchema && !anyServed;
      if (bootstrapping) {
        // The first replica migrates the schema; the others would fail validation until it has,
        // so they start only once it serves.
        if (!active().isEmpty()) {
          log.info("waiting for the first replica to migrate the schema before starting more");
          return;
        }
        if (starts > 1) {
          log.info("starting 1 replica first: it migrates the schema, the others follow");
        }
        starts = 1;
      }
      startReplicas(starts, bootstrapping, false, now);
    } else {
      // Least useful first: replicas still starting, then the newest serving ones. Replicas the
      // autoscaler did not create (the compose file's template) are never removed.
      List<Tracked> candidates = tracked.values().stream()
          .filter(t -> t.counts() && t.replica.managed())
          .sorted(Comparator.comparing((Tracked t) -> t.phase == Phase.SERVING)
              .thenComparing(t -> t.since, Comparator.reverseOrder()))
          .toList();
      for (Tracked t : candidates.subList(0, Math.min(-d.delta(), candidates.size()))) {
        leave(t, true);
      }
    }
  }

  private void startReplicas(int n, boolean ownsSchema, boolean spare, Instant now) {
    for (int i = 0; i < n; i++) {
      try {
        Replica r = driver.start(ownsSchema);
        tracked.put(r.id(), new Tracked(r, Phase.STARTING, now, spare));
        if (spare) {
          log.info("replica {} starting as a warm spare", r);
        }
      } catch (RuntimeException e) {
        log.error("could not start a replica: {}", e.toString(), e);
        return;
      }
    }
  }

  /**
   * Turns up to {@code wanted} spares into serving capacity: ready ones join Caddy in this tick,
   * starting ones will serve once ready. Returns how many were used.
   */
  private int promoteSpares(int wanted, Instant now) {
    List<Tracked> spares = tracked.values().stream()
        .filter(t -> t.spare && t.phase != Phase.LEAVING)
        .sorted(Comparator.comparing((Tracked t) -> t.phase != Phase.STANDBY))
        .limit(wanted).toList();
    for (Tracked t : spares) {
      t.spare = false;
      if (t.phase == Phase.STANDBY) {
        t.phase = Phase.SERVING;
        t.servingSince = now;
        log.info("replica {} promoted (STANDBY -> SERVING), joining Caddy", t.replica);
      } else {
        log.info("replica {} still starting, will serve instead of stand by", t.replica);
      }
    }
    if (spares.stream().anyMatch(t -> t.phase == Phase.SERVING)) {
      reconcileCaddy();
    }
    return spares.size();
  }

  /** Keeps {@code warmSpares} spares, fewer when the serving tier is near its maximum. */
  private void keepSpares(Instant now) {
    if (warmSpares == 0 || (firstReplicaOwnsSchema && !anyServed)) {
      return;
    }
    int want = Math.max(0, Math.min(warmSpares, policy.maxReplicas() - active().size()));
    List<Tracked> spares = tracked.values().stream()
        .filter(t -> t.spare && t.phase != Phase.LEAVING)
        .sorted(Comparator.comparing((Tracked t) -> t.since, Comparator.reverseOrder()))
        .toList();
    if (spares.size() < want) {
      startReplicas(want - spares.size(), false, true, now);
    }
    for (Tracked t : spares.subList(0, Math.max(0, spares.size() - want))) {
      leave(t, false);
    }
  }

  /** Out of Caddy first, then drain and stop in the background so the loop keeps ticking. */
  private void leave(Tracked t, boolean drain) {
    Phase from = t.phase;
    t.phase = Phase.LEAVING;
    log.info("replica {} {} -> LEAVING", t.replica, from);
    try {
      reconcileCaddy();
    } catch (RuntimeException e) {
      // Stopping a replica still in Caddy would fail requests: keep it until Caddy answers.
      log.error("replica {}: could not remove it from Caddy, keeping it: {}", t.replica,
          e.toString());
      t.phase = from;
      return;
    }
    drains.submit(() -> {
      try {
        if (drain && from == Phase.SERVING) {
          new Drain(caddy, timing.drainTimeout(), timing.drainGrace()).await(t.replica);
        }
        driver.stop(t.replica);
      } catch (RuntimeException e) {
        log.error("replica {}: stop failed: {}", t.replica, e.toString(), e);
      } finally {
        tracked.remove(t.replica.id());
      }
    });
  }
}

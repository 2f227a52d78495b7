package dev.orion.scheduler.health;

import dev.orion.common.ssh.WorkerException;
import dev.orion.common.worker.WorkerOps;
import dev.orion.scheduler.claim.Claim;
import dev.orion.scheduler.claim.ClaimQueue;
import dev.orion.scheduler.claim.ClaimRenewer;
import dev.orion.scheduler.claim.ClaimTable;
import dev.orion.scheduler.claim.Claimant;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Probes every node each interval over its persistent admin SSH connection (an SSH keepalive,
 * answered by sshd itself; a command through the admin's shell every {@value
 * HealthDecision#SHELL_EVERY} probes or so, {@link HealthDecision#shellDue}) and moves it between
 * alive, suspect and dead. A node becomes dead only after K consecutive failed probes, with no
 * fresh agent heartbeat, and while the control plane itself looks healthy; otherwise it stays
 * suspect and the reason it was spared is recorded on the node. Death moves the node's live
 * leases to {@code migrating} in the same transaction, for the migration loop.
 */
public final class HealthLoop {
  private static final Logger log = LoggerFactory.getLogger(HealthLoop.class);
  /** Routine verdicts recorded per transaction. */
  private static final int CHUNK = 50;

  private final Jdbi jdbi;
  private final Claimant claimant;
  private final ClaimQueue<NodeState> queue;
  private final int batch;
  private final HealthPolicy policy;
  private final Duration probeTimeout;
  private final WorkerOps workers;
  private final ExecutorService probes;
  private final StallWatch stalls;
  /**
   * When each node's shell last answered a probe here ({@link HealthDecision#shellDue}); only the
   * ones not due again, and none for a node whose last probe failed (its next one proves the shell).
   */
  private final Map<Long, Instant> shellProven = new ConcurrentHashMap<>();

  /**
   * @param probeTimeout how long a probe may take before it counts as failed; the probe thread
   *     itself may stay blocked until the SSH timeouts end it, but the round does not wait
   */
  public HealthLoop(Jdbi jdbi, Claimant claimant, ClaimRenewer renewer, int batch, HealthPolicy policy,
      Duration probeTimeout, WorkerOps workers, ExecutorService probes) {
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.batch = batch;
    this.policy = policy;
    this.probeTimeout = probeTimeout;
    this.workers = workers;
    this.probes = probes;
    this.stalls = new StallWatch(policy.dbStall(), policy.quietAfterStall());
    this.queue = new ClaimQueue<>("health", ClaimTable.NODES, jdbi, claimant, renewer, ClaimQueue.Source.of(
        (h, now, limit) -> h.attach(HealthDao.class).lockDue(now, limit),
        (h, ids) -> h.attach(HealthDao.class).load(ids), NodeState::id));
  }

  public int tick() {
    Instant now = claimant.now();
    return queue.claim(batch, claims -> check(now, claims));
  }

  private int check(Instant now, List<Claim<NodeState>> claims) {
    List<NodeState> nodes = claims.stream().map(Claim::item).toList();
    Map<Long, Claim<NodeState>> claimOf = new HashMap<>();
    claims.forEach(c -> claimOf.put(c.id(), c));
    databaseAnswered();
    if (nodes.isEmpty()) {
      return 0;
    }
    long started = System.nanoTime();
    Map<Long, Probe> results = probeAll(nodes, now);
    long probed = System.nanoTime();
    // Decide as of the claim: the next check is then one interval after this one was due to
    // start, not after it finished, so the probe period does not drift by each round's length.
    Instant decidedAt = now;
    int failing = (int) results.values().stream().filter(p -> !p.ok()).count();
    FleetView others = jdbi.withExtension(HealthDao.class,
        dao -> dao.fleetExcept(nodes.stream().map(NodeState::id).toList()));
    databaseAnswered();
    int watchedHere = (int) nodes.stream().filter(n -> !"dead".equals(n.status())).count();
    int failingHere = (int) nodes.stream()
        .filter(n -> !"dead".equals(n.status()) && !results.get(n.id()).ok()).count();
    FleetView fleet = new FleetView(others.watched() + watchedHere, others.failing() + failingHere);
    Optional<String> guard = HealthDecision.fleetGuard(fleet, stalls.quietUntil(), policy, decidedAt);
    List<Verdict> deaths = new ArrayList<>();
    List<Verdict> routine = new ArrayList<>();
    for (NodeState n : nodes) {
      Verdict v = HealthDecision.decide(n, results.get(n.id()), guard, policy, decidedAt);
      (v.diesNow() ? deaths : routine).add(v);
    }
    // Deaths first, all in one transaction: their leases wait for it, and nodes that die together
    // (a rack, a switch) must not queue behind one another's commits.
    applyDeaths(deaths, claimOf);
    for (int i = 0; i < routine.size(); i += CHUNK) {
      applyRoutine(routine.subList(i, Math.min(routine.size(), i + CHUNK)), claimOf);
    }
    log.debug("probed {} nodes in {} ms, {} failing, {} dying; verdicts written in {} ms; fleet {}", nodes.size(),
        (probed - started) / 1_000_000, failing, deaths.size(), (System.nanoTime() - probed) / 1_000_000, fleet);
    return nodes.size();
  }

  private Map<Long, Probe> probeAll(List<NodeState> nodes, Instant now) {
    // A forgotten node, or one probed by other instances now, is not remembered here for ever.
    shellProven.values().removeIf(at -> HealthDecision.shellDue(at, now, policy.interval()));
    Map<Long, CompletableFuture<Probe>> pending = new HashMap<>();
    for (NodeState n : nodes) {
      pending.put(n.id(), CompletableFuture.supplyAsync(() -> probe(n, now), probes)
          .completeOnTimeout(Probe.failed("no answer within " + probeTimeout.toMillis() + " ms"),
              probeTimeout.toMillis(), TimeUnit.MILLISECONDS));
    }
    Map<Long, Probe> out = new HashMap<>();
    pending.forEach((id, f) -> out.put(id, f.join()));
    return out;
  }

  private Probe probe(NodeState n, Instant now) {
    try {
      if (!HealthDecision.shellDue(shellProven.get(n.id()), now, policy.interval())) {
        workers.ping(n.endpoint());
        return Probe.answered();
      }
      workers.probe(n.endpoint()); // a command through the admin's shell: sshd and the account work
      shellProven.put(n.id(), now);
      return Probe.answered();
    } catch (WorkerException e) {
      shellProven.remove(n.id());
      return Probe.failed(e.getMessage());
    } catch (RuntimeException e) {
      shellProven.remove(n.id());
      return Probe.failed(e.toString());
    }
  }

  /**
   * Feeds the stall watch after every successful round trip, so the gaps it sees are between
   * database answers (at most a probe round or a poll wait in a healthy process), not whole rounds.
   */
  private void databaseAnswered() {
    Duration stall = stalls.reached(claimant.now());
    if (!stall.isZero()) {
      log.warn("database did not answer for {} s; declaring no node dead until {}",
          stall.toSeconds(), stalls.quietUntil());
    }
  }

  /**
   * Verdicts that touch no lease, a few per transaction: one commit per node would cost more than
   * the probe, and a short chunk keeps node rows (which rents and migrations lock) locked only
   * briefly; within it, one statement per distinct outcome ({@link #record}).
   */
  private void applyRoutine(List<Verdict> chunk, Map<Long, Claim<NodeState>> claimOf) {
    List<Claim<NodeState>> claims = chunk.stream().map(v -> claimOf.get(v.nodeId())).toList();
    Map<Long, Verdict> verdictOf = new HashMap<>();
    chunk.forEach(v -> verdictOf.put(v.nodeId(), v));
    try {
      queue.complete(claims, (h, held) -> {
        record(h, held.stream().map(c -> verdictOf.get(c.id())).toList(), claimant.now());
        return null;
      });
    } catch (RuntimeException e) {
      log.warn("recording {} health verdicts together failed, one by one now: {}", chunk.size(), e.toString());
      for (Verdict v : chunk) {
        applyDeath(v, claimOf.get(v.nodeId()));
      }
      return;
    }
    databaseAnswered();
    for (int i = 0; i < chunk.size(); i++) {
      logOutcome(chunk.get(i), claims.get(i).lost() ? null : List.of());
    }
  }

  /**
   * The round's deaths in one transaction: the dying nodes' active leases are locked (before their
   * nodes: the order every writer uses), the verdicts of the nodes still claimed are written and
   * those nodes' leases move to migrating. Should it fail, each death is tried on its own.
   */
  private void applyDeaths(List<Verdict> deaths, Map<Long, Claim<NodeState>> claimOf) {
    if (deaths.isEmpty()) {
      return;
    }
    List<Claim<NodeState>> claims = deaths.stream().map(v -> claimOf.get(v.nodeId())).toList();
    Map<Long, Verdict> verdictOf = new HashMap<>();
    deaths.forEach(v -> verdictOf.put(v.nodeId(), v));
    Map<Long, List<Long>> migrating;
    try {
      migrating = settle(claims, verdictOf);
    } catch (RuntimeException e) {
      log.warn("recording {} deaths together failed, one by one now: {}", deaths.size(), e.toString());
      for (Verdict v : deaths) {
        if (applyDeath(v, claimOf.get(v.nodeId()))) {
          databaseAnswered();
        }
      }
      return;
    }
    databaseAnswered();
    for (int i = 0; i < deaths.size(); i++) {
      Verdict v = deaths.get(i);
      logOutcome(v, migrating.get(v.nodeId()));
    }
  }

  /**
   * Writes the verdicts of {@code claims} (deaths, or any verdict one at a time) in one transaction
   * fenced by the claims; returns, per node whose verdict was written (its claim still held), the
   * leases moved to migrating.
   */
  private Map<Long, List<Long>> settle(List<Claim<NodeState>> claims, Map<Long, Verdict> verdictOf) {
    List<Long> dying = claims.stream().map(Claim::id).filter(id -> verdictOf.get(id).diesNow()).toList();
    List<List<Lease>> leases = new ArrayList<>(1);
    return queue.complete(claims,
        // Leases are locked before their nodes: the order every writer uses. (Cleared first: a
        // transaction retried after a deadlock runs this again.)
        h -> {
          leases.clear();
          leases.add(LeaseStore.on(h).lockActiveOn(dying));
        },
        (h, held) -> {
          Map<Long, List<Long>> moved = new HashMap<>();
          if (held.isEmpty()) {
            return moved; // nothing written: the locks taken above go with the commit
          }
          Instant at = claimant.now();
          record(h, held.stream().map(c -> verdictOf.get(c.id())).toList(), at);
          held.forEach(c -> moved.put(c.id(), new ArrayList<>()));
          // Only the leases of nodes whose death was written: a node whose claim lapsed keeps its
          // leases as they are, for whoever checks it now.
          List<Lease> active = leases.get(0).stream().filter(l -> moved.containsKey(l.nodeId())).toList();
          LeaseStore.on(h).startMigration(active, at, claimant.actor(), l -> {
            Verdict v = verdictOf.get(l.nodeId());
            return "node " + v.nodeId() + " dead after " + v.probeFailures() + " failed probes: " + v.error();
          });
          active.forEach(l -> moved.get(l.nodeId()).add(l.id()));
          return moved;
        });
  }

  /**
   * Writes verdicts of nodes whose claims the caller's transaction holds (fenced): one statement
   * per distinct outcome, whatever the number of nodes sharing it, and the transitions' events.
   */
  private void record(Handle h, List<Verdict> verdicts, Instant at) {
    Map<Verdict.Outcome, List<Long>> byOutcome = new LinkedHashMap<>();
    verdicts.forEach(v -> byOutcome.computeIfAbsent(v.outcome(), o -> new ArrayList<>()).add(v.nodeId()));
    HealthDao dao = h.attach(HealthDao.class);
    byOutcome.forEach((outcome, nodeIds) -> dao.record(outcome, nodeIds, at));
    EventLog.append(h, verdicts.stream().filter(Verdict::changes).map(v -> nodeEvent(v, at)).toList());
  }

  /** A verdict on its own transaction, with the node's leases moved to migrating if it died. */
  private boolean applyDeath(Verdict v, Claim<NodeState> claim) {
    try {
      Map<Long, List<Long>> migrating = settle(List.of(claim), Map.of(v.nodeId(), v));
      logOutcome(v, migrating.get(v.nodeId()));
      return true;
    } catch (RuntimeException e) {
      log.error("node {} {}->{} failed to record; its claim lapses and it is checked again",
          v.nodeId(), v.fromStatus(), v.toStatus(), e);
      return false;
    }
  }

  /** A status change of the node, for the event log (kind {@code node}), with why it happened. */
  private Event nodeEvent(Verdict v, Instant at) {
    String why = switch (v.toStatus()) {
      case "alive" -> "dead".equals(v.fromStatus()) ? "probe answered again" : "probe answered";
      case "dead" -> "dead after " + v.probeFailures() + " failed probes: " + v.error();
      default -> "probe failed (" + v.probeFailures() + " of " + policy.deadAfter() + "): " + v.error()
          + (v.sparedReason() == null ? "" : "; spared: " + v.sparedReason());
    };
    return Event.node(v.nodeId(), at, claimant.actor(), v.fromStatus(), v.toStatus(), why);
  }

  /** @param migrating leases moved to migrating, or null when the claim had lapsed */
  private void logOutcome(Verdict v, List<Long> migrating) {
    if (migrating == null) {
      log.info("node {} {}->{} not recorded: claim lapsed, another scheduler checks it",
          v.nodeId(), v.fromStatus(), v.toStatus());
      return;
    }
    if (v.changes()) {
      log.info("node {} {}->{} ({} failed probes{}){}", v.nodeId(), v.fromStatus(), v.toStatus(),
          v.probeFailures(), v.error() == null ? "" : ": " + v.error(),
          migrating.isEmpty() ? "" : "; leases " + migrating + " active->migrating");
    }
    if (v.sparedReason() != null) {
      // Loud the first time a node would have died, quiet while the reason holds.
      if (v.probeFailures() == policy.deadAfter()) {
        log.warn("node {} {}->dead spared, kept suspect: {}", v.nodeId(), v.fromStatus(), v.sparedReason());
      } else {
        log.debug("node {} still spared: {}", v.nodeId(), v.sparedReason());
      }
    }
  }
}

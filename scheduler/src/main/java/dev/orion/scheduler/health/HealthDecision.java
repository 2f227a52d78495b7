package dev.orion.scheduler.health;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Pure health decisions: (node, probe, fleet, policy, now) to a verdict. No I/O. */
public final class HealthDecision {
  /**
   * A node's shell proves itself at least every this many probe intervals; the probes between are
   * SSH keepalives on the open admin connection, which sshd answers without starting a process.
   */
  public static final int SHELL_EVERY = 10;

  private HealthDecision() {}

  /**
   * Whether this probe runs a command through the admin's shell (proving the account and a shell
   * work, not only sshd): the first one, then once its last success here is {@link #SHELL_EVERY}
   * intervals old. A failed probe of either kind counts the same.
   *
   * @param lastShell when the shell last answered a probe here, or null
   */
  public static boolean shellDue(Instant lastShell, Instant now, Duration interval) {
    return lastShell == null || !now.isBefore(lastShell.plus(interval.multipliedBy(SHELL_EVERY)));
  }

  /**
   * Why no node may be declared dead in this round, if the fault looks like the control plane's
   * own: this scheduler's database stalled recently, or most of the fleet fails at once.
   *
   * @param quietUntil end of the quiet period after this scheduler's last database stall, or null
   */
  public static Optional<String> fleetGuard(FleetView fleet, Instant quietUntil, HealthPolicy p, Instant now) {
    if (quietUntil != null && now.isBefore(quietUntil)) {
      return Optional.of("this scheduler's database stalled; no node is declared dead until "
          + quietUntil + " (heartbeats and probes must catch up first)");
    }
    if (fleet.watched() >= p.guardMinNodes()
        && fleet.failing() * 100L > (long) p.massFailurePercent() * fleet.watched()) {
      return Optional.of("mass failure: " + fleet.failing() + " of " + fleet.watched()
          + " nodes failing at once (over " + p.massFailurePercent()
          + "%); suspecting the control plane's network, not the nodes");
    }
    return Optional.empty();
  }

  public static Verdict decide(NodeState n, Probe probe, Optional<String> fleetGuard, HealthPolicy p, Instant now) {
    Instant next = now.plus(p.interval());
    if (probe.ok()) {
      return new Verdict(n.id(), n.status(), "alive", 0, null, next, null);
    }
    int failures = n.probeFailures() + 1;
    if ("dead".equals(n.status())) {
      return new Verdict(n.id(), "dead", "dead", failures, probe.error(), next, null);
    }
    if (failures < p.deadAfter()) {
      return new Verdict(n.id(), n.status(), "suspect", failures, probe.error(), next, null);
    }
    Optional<String> spare = heartbeatAlive(n, p, now).or(() -> fleetGuard);
    if (spare.isPresent()) {
      return new Verdict(n.id(), n.status(), "suspect", failures, probe.error(), next, spare.get());
    }
    return new Verdict(n.id(), n.status(), "dead", failures, probe.error(), next, null);
  }

  /**
   * The second signal: the agent heartbeated after the probes began to fail, and recently. Only a
   * heartbeat sent during the failure run proves the machine outlived its sshd's silence; one from
   * before says nothing (a crashed machine's last heartbeat is always a little older than its
   * crash), so a real death is never delayed by the heartbeat timeout.
   */
  static Optional<String> heartbeatAlive(NodeState n, HealthPolicy p, Instant now) {
    if (n.lastHeartbeatAt() == null) {
      return Optional.empty();
    }
    Instant failingSince = "suspect".equals(n.status()) && n.statusChangedAt() != null ? n.statusChangedAt() : now;
    Duration age = Duration.between(n.lastHeartbeatAt(), now);
    if (n.lastHeartbeatAt().isAfter(failingSince) && age.compareTo(p.heartbeatTimeout()) < 0) {
      return Optional.of("agent heartbeat " + age.toSeconds() + "s ago, after probes began failing at "
          + failingSince + ": the machine runs though its sshd does not answer");
    }
    return Optional.empty();
  }
}

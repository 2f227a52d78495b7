package dev.orion.api.rental;

import dev.orion.api.Limits;
import dev.orion.api.auth.Principal;
import dev.orion.api.load.LoadConfig;
import dev.orion.common.lease.EndReason;
import dev.orion.common.lease.Lease;
import dev.orion.common.lease.LeaseStatus;
import dev.orion.common.lease.LeaseStore;
import dev.orion.common.lease.NodeCleanliness;
import dev.orion.common.lease.RescueBound;
import dev.orion.common.problem.OrionException;
import dev.orion.common.ssh.ClientAccount;
import dev.orion.common.ssh.PasswordCrypt;
import dev.orion.common.ssh.WorkerEndpoint;
import dev.orion.common.ssh.WorkerException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leases: rent (all-or-nothing: {@link Allocator} locks the workers and records the leases, then
 * every account is created and every lease activated, or all of it undone), release, extend, list,
 * reset.
 *
 * <p>Database state changes first, in short transactions; SSH work happens outside them. A node
 * leaves a lease "dirty" and becomes allocatable again only once its client user is gone, so no
 * failure between the two steps can hand a worker with someone's account on it to someone else.
 */
public final class RentalService {
  private static final Logger LOG = LoggerFactory.getLogger(RentalService.class);
  /**
   * A rent provisions within seconds; one whose API died is ended by the scheduler's rescue, after
   * which a release answers like for any ended lease.
   */
  private static final Duration PROVISIONING_RETRY_AFTER = Duration.ofSeconds(2);

  private final Jdbi jdbi;
  private final Runnable allocationChanged;
  private final Provisioner provisioner;
  private final Clock clock;
  private final Limits limits;
  private final Allocator allocator;
  /**
   * ORION_RESCUE_AFTER, the schedulers' bound too: a rent still provisioning after this long is
   * stranded (its API died) and the rescue ends it; younger ones belong to a rent in flight, which
   * reset leaves alone so that it cannot race the rent's own user creation.
   */
  private final Duration provisioningBound;

  /**
   * @param allocationChanged told after every change of which node holds which lease, so caches
   *     of the node list (see {@code NodeList}) can drop what they hold
   */
  public RentalService(Jdbi jdbi, Provisioner provisioner, Clock clock, Runnable allocationChanged) {
    this(jdbi, provisioner, clock, allocationChanged, Limits.defaults(), SleepingPools.NONE, RescueBound.DEFAULT);
  }

  /**
   * @param limits live leases per account and the longest total lease
   * @param sleeping pools asleep now, named in the 409 of a rent that finds too few free workers
   * @param provisioningBound how long a lease may be provisioning before the rescue ends it
   */
  public RentalService(Jdbi jdbi, Provisioner provisioner, Clock clock, Runnable allocationChanged, Limits limits,
      SleepingPools sleeping, Duration provisioningBound) {
    this(jdbi, provisioner, clock, allocationChanged, limits, sleeping, LoadConfig.Placement.LOAD, provisioningBound);
  }

  /** @param placement which free workers a rent takes first ({@code ORION_PLACEMENT}) */
  public RentalService(Jdbi jdbi, Provisioner provisioner, Clock clock, Runnable allocationChanged, Limits limits,
      SleepingPools sleeping, LoadConfig.Placement placement, Duration provisioningBound) {
    this.allocator = new Allocator(jdbi, limits, sleeping, placement, this::now);
    this.jdbi = jdbi;
    this.allocationChanged = allocationChanged;
    this.provisioner = provisioner;
    this.clock = clock;
    this.limits = limits;
    this.provisioningBound = provisioningBound;
  }

  public List<RentalViews.Credentials> rent(Principal caller, RentRequests.Rent req) {
    Duration duration = req.duration();
    if (duration.compareTo(limits.maxLease()) > 0) {
      throw OrionException.badRequest("a lease lasts at most " + limits.maxLease().toHours()
          + " h including extensions (ORION_MAX_LEASE_HOURS)");
    }
    int count = req.countOrDefault();
    req.validateCredentials();
    String password = req.sshPassword() != null ? req.sshPassword() : ClientCredentials.randomPassword();
    ClientAccount account;
    try {
      account = new ClientAccount(ClientCredentials.userName(caller.username()), PasswordCrypt.sha512(password),
          req.sshPublicKey());
    } catch (IllegalArgumentException e) {
      throw OrionException.badRequest(e.getMessage());
    }
    Instant until = now().plus(duration);

    List<Allocator.Allocation> allocations = allocator.allocate(caller, account, count, until);
    // From here on the rent either activates every lease or abandons every allocation, whatever
    // is thrown: a lease left provisioning holds its node until the scheduler's rescue ends it.
    boolean activated = false;
    String failure = "the rent failed before its accounts were created";
    try {
      List<Provisioner.Outcome> outcomes = provisioner.create(
          allocations.stream().map(a -> endpoint(a.node())).toList(), account);
      Provisioner.Outcome failed = outcomes.stream().filter(o -> !o.ok()).findFirst().orElse(null);
      if (failed != null) {
        failure = failed.error().getMessage();
        if (failed.error() instanceof IllegalArgumentException bad) {
          // The account itself cannot be written to a worker (a NUL in a key comment, say).
          throw OrionException.badRequest("cannot create the account: " + bad.getMessage());
        }
        if (!(failed.error() instanceof WorkerException)) {
          throw new IllegalStateException("provisioning worker " + failed.endpoint().nodeId() + " failed",
              failed.error());
        }
        throw OrionException.badGateway("could not provision worker " + failed.endpoint().nodeId() + ": "
            + failure + "; nothing was allocated", failed.error());
      }
      failure = "activation failed";
      try {
        activate(caller, allocations);
      } catch (Rescued e) {
        failure = e.getMessage();
        throw OrionException.badGateway("the workers took too long to provision: " + e.getMessage()
            + "; nothing is allocated to you, rent again", e);
      }
      activated = true;
      return allocations.stream().map(a -> new RentalViews.Credentials(a.rentalId(), a.node().ip(),
          a.node().sshPort(), account.user(), password, until, a.node().id(), a.node().hostname(),
          a.node().hostKeyFingerprint())).toList();
    } finally {
      if (!activated) {
        abandonQuietly(allocations, account.user(), failure);
      }
      allocationChanged.run();
    }
  }

  /**
   * Activates every lease of the rent, only from provisioning: a rent slower than the rescue bound
   * finds its leases ended by the scheduler's rescue (their nodes freed, maybe rented again) and
   * activates none of them.
   */
  private void activate(Principal caller, List<Allocator.Allocation> allocations) {
    jdbi.useTransaction(h -> {
      LeaseStore store = LeaseStore.on(h);
      Instant now = now();
      List<Lease> leases = store.lock(allocations.stream().map(Allocator.Allocation::rentalId).toList());
      for (Lease l : leases) {
        if (l.status() != LeaseStatus.PROVISIONING) {
          throw new Rescued(l.id(), Duration.between(l.createdAt(), now));
        }
      }
      for (Lease l : leases) {
        store.activate(l, now, caller.actor(), "client user created");
      }
    });
  }

  /** A lease of this rent was ended by the rescue before the rent could activate it. */
  private final class Rescued extends RuntimeException {
    Rescued(long rentalId, Duration after) {
      super("lease " + rentalId + " was still provisioning after " + after.toSeconds() + " s, past ORION_RESCUE_AFTER ("
          + provisioningBound + "), and the scheduler ended it");
    }
  }

  /**
   * Undoes a rent that did not activate: every lease it still holds ends (failed), its node is
   * freed dirty, and its accounts are deleted. A lease the scheduler's rescue ended meanwhile has
   * freed its node already, which may be rented again by now: that node is only marked dirty (so
   * no cleanup under way marks it clean with this rent's account on it), and the account is
   * deleted there unless a live lease of the same client user holds the node now.
   * Never throws: this runs in a {@code finally}, and a database that is away leaves the leases to
   * the rescue.
   */
  private void abandonQuietly(List<Allocator.Allocation> allocations, String user, String why) {
    List<Allocator.Allocation> toDelete = new ArrayList<>();
    java.util.Map<Long, Long> epochs = new java.util.HashMap<>();
    try {
      jdbi.useTransaction(h -> {
        toDelete.clear();
        epochs.clear();
        LeaseStore store = LeaseStore.on(h);
        Instant now = now();
        List<Lease> leases = store.lock(allocations.stream().map(Allocator.Allocation::rentalId).toList());
        List<Lease> mine = leases.stream().filter(l -> l.status() == LeaseStatus.PROVISIONING).toList();
        epochs.putAll(store.end(mine, EndReason.FAILED, now, "api", l -> "provisioning failed: " + truncate(why)));
        for (Allocator.Allocation a : allocations) {
          boolean ended = mine.stream().anyMatch(l -> l.id() == a.rentalId());
          if (ended) {
            toDelete.add(a);
          } else {
            NodeCleanliness nodes = h.attach(NodeCleanliness.class);
            nodes.markDirty(a.node().id());
            if (h.attach(RentalDao.class).liveLeasesOf(a.node().id(), user) == 0) {
              toDelete.add(a);
            }
          }
        }
      });
    } catch (RuntimeException e) {
      LOG.error("abandoning rentals {} failed; the scheduler's rescue ends them",
          allocations.stream().map(Allocator.Allocation::rentalId).toList(), e);
      return;
    }
    try {
      deprovision(toDelete.stream().map(a -> new Provisioner.Removal(endpoint(a.node()), user)).toList(), epochs);
    } catch (RuntimeException e) {
      LOG.error("removing the accounts of an abandoned rent failed; scrub removes them", e);
    }
  }

  public void release(Principal caller, long rentalId) {
    Released r = jdbi.inTransaction(h -> {
      RentalDao.RentalRow row = h.attach(RentalDao.class).lockVisible(rentalId, ownerFilter(caller))
          .orElseThrow(() -> notFound(rentalId));
      LeaseStore store = LeaseStore.on(h);
      Lease lease = store.lock(rentalId).orElseThrow(() -> notFound(rentalId));
      Instant now = now();
      switch (lease.status()) {
        case ENDED -> throw OrionException.conflict("lease " + rentalId + " already ended (" + row.endReason() + ")");
        case PROVISIONING -> throw OrionException.conflict("lease " + rentalId + " is still being provisioned",
            PROVISIONING_RETRY_AFTER);
        case MIGRATING -> {
          if (lease.claimHeld(now)) {
            // The scheduler moving it owns the node it reserved and may be creating the login
            // there right now: ending the lease under it would free that node to someone else.
            throw OrionException.conflict("lease " + rentalId + " is being moved to another node right now",
                retryAfter(lease, now));
          }
        }
        default -> { }
      }
      Map<Long, Long> epochs = store.end(List.of(lease), EndReason.RELEASED, now, caller.actor(), l -> "released");
      return new Released(row, epochs);
    });
    deprovision(List.of(removal(r.row())), r.epochs());
    allocationChanged.run();
  }

  private record Released(RentalDao.RentalRow row, Map<Long, Long> epochs) {}

  /** Until the claim lapses at the latest (a live scheduler finishes or releases it before). */
  private static Duration retryAfter(Lease lease, Instant now) {
    Duration left = Duration.between(now, lease.claimedUntil());
    return left.compareTo(PROVISIONING_RETRY_AFTER) < 0 ? PROVISIONING_RETRY_AFTER
        : Duration.ofSeconds(Math.min(30, left.toSeconds() + 1));
  }

  public RentalViews.Extended extend(Principal caller, long rentalId, RentRequests.Extend req) {
    Duration more = req.duration();
    RentalViews.Extended extended = jdbi.inTransaction(h -> {
      RentalDao dao = h.attach(RentalDao.class);
      RentalDao.RentalRow row = dao.lockVisible(rentalId, ownerFilter(caller))
          .orElseThrow(() -> notFound(rentalId));
      Instant now = now();
      if (!"active".equals(row.status()) && !"migrating".equals(row.status())) {
        throw OrionException.conflict("lease " + rentalId + " is " + row.status() + " and cannot be extended");
      }
      if (!row.leasedUntil().isAfter(now)) {
        throw OrionException.conflict("lease " + rentalId + " expired at " + row.leasedUntil());
      }
      Instant until = row.leasedUntil().plus(more);
      if (Duration.between(now, until).compareTo(RentRequests.MAX_LEASE) > 0) {
        throw OrionException.badRequest("a lease may run at most " + RentRequests.MAX_LEASE.toDays()
            + " days from now");
      }
      if (Duration.between(row.createdAt(), until).compareTo(limits.maxLease()) > 0) {
        throw OrionException.conflict("lease " + rentalId + " would last " + hours(Duration.between(row.createdAt(), until))
            + " h in all; a lease lasts at most " + limits.maxLease().toHours() + " h including extensions"
            + " (ORION_MAX_LEASE_HOURS)");
      }
      LeaseStore store = LeaseStore.on(h);
      Lease lease = store.lock(rentalId).orElseThrow(() -> notFound(rentalId));
      if (lease.claimHeld(now)) {
        throw OrionException.conflict("lease " + rentalId + " is being handled by a scheduler; try again shortly");
      }
      store.extend(lease, until, now, caller.actor());
      return new RentalViews.Extended(rentalId, until);
    });
    allocationChanged.run();
    return extended;
  }

  public List<RentalViews.Rental> list(Principal caller, boolean includeEnded) {
    return jdbi.withExtension(RentalDao.class, d -> d.list(ownerFilter(caller),
            includeEnded ? "" : "AND r.status <> 'ended'"))
        .stream().map(RentalViews.Rental::of).toList();
  }

  public RentalViews.Detail get(Principal caller, long rentalId) {
    return jdbi.withExtension(RentalDao.class, d -> {
      RentalDao.RentalRow row = d.findVisible(rentalId, ownerFilter(caller)).orElseThrow(() -> notFound(rentalId));
      return new RentalViews.Detail(RentalViews.Rental.of(row),
          d.events(rentalId).stream().map(RentalViews.Event::of).toList());
    });
  }

  /**
   * Ends every live lease and removes every client user; returns how many leases ended. Leases
   * work is under way on are left alone: a rent still provisioning within the rescue bound (the
   * rent itself, or the rescue, ends it) and a migration whose scheduler holds its claim (it owns
   * the node it reserved; expiry or a later reset ends the lease).
   */
  public int reset(Principal admin) {
    Reset done = jdbi.inTransaction(h -> {
      LeaseStore store = LeaseStore.on(h);
      Instant now = now();
      List<RentalDao.RentalRow> live = h.attach(RentalDao.class).lockAllLive(now.minus(provisioningBound));
      List<Lease> leases = store.lock(live.stream().map(RentalDao.RentalRow::id).toList()).stream()
          .filter(l -> !(l.status() == LeaseStatus.MIGRATING && l.claimHeld(now))).toList();
      Map<Long, Long> epochs = store.end(leases, EndReason.RESET, now, admin.actor(), l -> "reset");
      java.util.Set<Long> ended = leases.stream().map(Lease::id).collect(java.util.stream.Collectors.toSet());
      return new Reset(live.stream().filter(r -> ended.contains(r.id())).toList(), epochs);
    });
    deprovision(done.rows().stream().map(RentalService::removal).toList(), done.epochs());
    allocationChanged.run();
    LOG.info("reset by {} ended {} lease(s)", admin.username(), done.rows().size());
    return done.rows().size();
  }

  private record Reset(List<RentalDao.RentalRow> rows, Map<Long, Long> epochs) {}

  /**
   * Removes the client user; a node becomes allocatable again only when that worked, and only if
   * nothing freed it dirty again since {@code epochs} were taken (it was rented and released
   * meanwhile: that lease's cleanup marks it clean).
   */
  private void deprovision(List<Provisioner.Removal> removals, Map<Long, Long> epochs) {
    for (Provisioner.Outcome o : provisioner.delete(removals)) {
      long node = o.endpoint().nodeId();
      if (!o.ok()) {
        LOG.warn("node {}: could not remove the client user ({}); it stays out of the pool until scrubbed",
            node, o.error().getMessage());
      } else if (epochs.containsKey(node)) {
        jdbi.useExtension(NodeCleanliness.class, d -> d.markClean(node, epochs.get(node), clock.instant()));
      }
    }
  }

  /** The database keeps microseconds; answers must show the instant that was stored. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private static Long ownerFilter(Principal caller) {
    return caller.isAdmin() ? null : caller.userId();
  }

  private static OrionException notFound(long rentalId) {
    return OrionException.notFound("rental " + rentalId + " does not exist");
  }

  private static WorkerEndpoint endpoint(RentalDao.FreeNode n) {
    return new WorkerEndpoint(n.id(), n.ip(), n.sshPort(), n.hostKey());
  }

  private static Provisioner.Removal removal(RentalDao.RentalRow r) {
    return new Provisioner.Removal(new WorkerEndpoint(r.nodeId(), r.ip(), r.sshPort(), r.hostKey()), r.clientUser());
  }

  private static String truncate(String s) {
    return s == null ? "" : s.length() > 200 ? s.substring(0, 200) : s;
  }

  private static String hours(Duration d) {
    return java.math.BigDecimal.valueOf(d.toSeconds()).divide(java.math.BigDecimal.valueOf(3600), 2,
        java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
  }
}

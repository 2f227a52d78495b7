package dev.orion.common.lease;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.jdbi.v3.core.Handle;

/**
 * The one place a lease changes state, for the API and the schedulers alike: every transition is
 * checked against {@link LeaseStatus}'s table (an illegal one throws, it is a bug), writes its
 * event in the caller's transaction and frees or takes the nodes it concerns, as the locked row
 * says, never as a value the caller remembered from before (that node may belong to someone else
 * by now).
 *
 * <p>Use: in a transaction, {@link #lock} the lease rows (lease before node: the order every
 * writer uses), decide on what they say (a lease ended meanwhile is the caller's business: a 409,
 * a skipped completion), then call the transition with the locked {@link Lease}.
 *
 * <p>The migration reservation ({@code rentals.target_node_id}) belongs to the migration claim:
 * only {@link #reserve}, {@link #dropReservation} and {@link #finishMigration} touch it while a
 * lease migrates. A lease that ends frees whatever its row still reserves; callers that are not the
 * claim holder must therefore not end a migrating lease whose claim is held
 * ({@link Lease#claimHeld}).
 *
 * <p>A lease that ends asks the jobs running on it as its client user to cancel
 * ({@code jobs.cancel_requested}); the job loop kills them.
 */
public final class LeaseStore {
  /** A lease a rent is about to provision. */
  public record NewLease(long userId, long nodeId, String clientUser, String passwordCrypt, String publicKey,
      Instant createdAt, Instant leasedUntil) {}

  private final Handle h;
  private final LeaseDao dao;
  private final NodeCleanliness nodes;

  private LeaseStore(Handle h) {
    this.h = h;
    this.dao = h.attach(LeaseDao.class);
    this.nodes = h.attach(NodeCleanliness.class);
  }

  /** The store over a handle; its writes belong to the handle's open transaction. */
  public static LeaseStore on(Handle h) {
    return new LeaseStore(h);
  }

  public Optional<Lease> lock(long leaseId) {
    return lock(List.of(leaseId)).stream().findFirst();
  }

  /** Locks the rows ({@code FOR UPDATE}), in id order; unknown ids are left out. */
  public List<Lease> lock(Collection<Long> leaseIds) {
    if (leaseIds.isEmpty()) {
      return List.of();
    }
    return dao.lock(leaseIds).stream().map(LeaseDao.LeaseRow::lease).toList();
  }

  /**
   * Locks ({@code FOR UPDATE}, in id order) those of the leases still claimed by {@code claimant}
   * and not lapsed at {@code now}: a scheduler's completion fence and its lease lock in one
   * statement. The others (claim lapsed, taken over, released; unknown ids) are left out.
   */
  public List<Lease> lockClaimed(Collection<Long> leaseIds, String claimant, Instant now) {
    if (leaseIds.isEmpty()) {
      return List.of();
    }
    return dao.lockClaimed(leaseIds, claimant, now).stream().map(LeaseDao.LeaseRow::lease).toList();
  }

  /** A node's active leases, locked. */
  public List<Lease> lockActiveOn(long nodeId) {
    return lockActiveOn(List.of(nodeId));
  }

  /** The active leases of several nodes, locked in id order: the nodes one health round found dead. */
  public List<Lease> lockActiveOn(Collection<Long> nodeIds) {
    if (nodeIds.isEmpty()) {
      return List.of();
    }
    return dao.lockActiveOn(nodeIds).stream().map(LeaseDao.LeaseRow::lease).toList();
  }

  /**
   * Allocates the node (which the caller has locked and found free) and records a provisioning
   * lease on it; returns the lease's id.
   */
  public long open(NewLease lease, String actor, String reason) {
    if (dao.allocate(lease.nodeId()) != 1) {
      throw new IllegalStateException("node " + lease.nodeId() + " is allocated already");
    }
    long id = dao.insert(lease);
    EventLog.append(h, Event.lease(id, lease.createdAt(), actor, null, LeaseStatus.PROVISIONING.db(), null,
        lease.nodeId(), reason));
    return id;
  }

  /**
   * A job attempt's internal lease ({@code kind = 'job'}): allocates the node (locked and found free
   * by the caller) and records the lease active, with both its events (provisioning, then active):
   * the attempt itself creates its user. It never expires or migrates (the expiry, migration and
   * rescue queues and the health loop leave job leases alone); the job loop ends it when the
   * attempt ends. Returns its id.
   */
  public long openJob(NewLease lease, String actor, String reason) {
    if (dao.allocate(lease.nodeId()) != 1) {
      throw new IllegalStateException("node " + lease.nodeId() + " is allocated already");
    }
    long id = dao.insertJob(lease);
    EventLog.append(h, List.of(
        Event.lease(id, lease.createdAt(), actor, null, LeaseStatus.PROVISIONING.db(), null, lease.nodeId(), reason),
        Event.lease(id, lease.createdAt(), actor, LeaseStatus.PROVISIONING.db(), LeaseStatus.ACTIVE.db(),
            lease.nodeId(), lease.nodeId(), reason)));
    return id;
  }

  /** provisioning → active: the rent created the client account. */
  public void activate(Lease lease, Instant at, String actor, String reason) {
    change(List.of(lease), LeaseStatus.ACTIVE, at, actor, l -> reason, l -> l.nodeId());
  }

  /** active → migrating: the lease's node died. */
  public void startMigration(List<Lease> leases, Instant at, String actor, Function<Lease, String> reason) {
    change(leases, LeaseStatus.MIGRATING, at, actor, reason, l -> null);
  }

  /**
   * Ends the leases (each must be live) and frees, dirty, every node its row names: its own and any
   * node a migration reserved for it. Returns the freed nodes' epochs, for the cleanup that marks
   * them clean ({@link NodeCleanliness#markClean}).
   */
  public Map<Long, Long> end(List<Lease> leases, EndReason why, Instant at, String actor,
      Function<Lease, String> reason) {
    if (leases.isEmpty()) {
      return Map.of();
    }
    List<Long> ids = ids(leases, LeaseStatus.ENDED);
    if (dao.end(ids, why.db(), at) != ids.size()) {
      throw new IllegalStateException("leases " + ids + " changed under their lock");
    }
    Set<Long> freed = new LinkedHashSet<>();
    List<Event> events = new ArrayList<>(leases.size());
    for (Lease l : leases) {
      freed.add(l.nodeId());
      if (l.targetNodeId() != null) {
        freed.add(l.targetNodeId());
      }
      events.add(Event.lease(l.id(), at, actor, l.status().db(), LeaseStatus.ENDED.db(), l.nodeId(), null,
          reason.apply(l)));
    }
    Map<Long, Long> epochs = nodes.freeDirty(freed);
    EventLog.append(h, events);
    dao.cancelJobs(ids, at);
    return epochs;
  }

  /**
   * Reserves {@code target} (locked and found free by the caller) for a migrating lease that has
   * none yet: it is allocated, and the row records it so a successor of a dead scheduler reuses it.
   *
   * @return false when the node was allocated meanwhile
   */
  public boolean reserve(Lease lease, long target) {
    if (lease.status() != LeaseStatus.MIGRATING || lease.targetNodeId() != null) {
      throw new IllegalStateException("lease " + lease.id() + " is " + lease.status().db()
          + (lease.targetNodeId() == null ? "" : " with node " + lease.targetNodeId() + " reserved")
          + "; cannot reserve node " + target);
    }
    if (dao.allocate(target) != 1) {
      return false;
    }
    if (dao.reserve(lease.id(), target) != 1) {
      throw new IllegalStateException("lease " + lease.id() + " changed under its lock");
    }
    return true;
  }

  /**
   * Gives up the node the row reserves for the lease (the move to it failed): freed dirty, since a
   * half-made login may be on it. Returns the node freed, if the row named one.
   */
  public Optional<Long> dropReservation(Lease lease) {
    Long target = lease.targetNodeId();
    if (target == null) {
      return Optional.empty();
    }
    dao.dropReservation(lease.id(), target);
    if (target != lease.nodeId()) {
      nodes.freeDirty(List.of(target));
    }
    return Optional.of(target);
  }

  /**
   * migrating → active on {@code to}: the node the row reserves, or the lease's own node when it
   * answers again. Whichever of the two the lease no longer uses is freed dirty.
   */
  public void finishMigration(Lease lease, long to, Instant at, String actor, String reason) {
    if (to != lease.nodeId() && !Objects.equals(to, lease.targetNodeId())) {
      throw new IllegalStateException("lease " + lease.id() + " cannot move to node " + to
          + ": its row reserves " + lease.targetNodeId());
    }
    ids(List.of(lease), LeaseStatus.ACTIVE);
    if (dao.move(lease.id(), to) != 1) {
      throw new IllegalStateException("lease " + lease.id() + " changed under its lock");
    }
    Set<Long> freed = new LinkedHashSet<>();
    freed.add(lease.nodeId());
    if (lease.targetNodeId() != null) {
      freed.add(lease.targetNodeId());
    }
    freed.remove(to);
    if (!freed.isEmpty()) {
      nodes.freeDirty(freed);
    }
    EventLog.append(h, Event.lease(lease.id(), at, actor, LeaseStatus.MIGRATING.db(), LeaseStatus.ACTIVE.db(),
        lease.nodeId(), to, reason));
  }

  /** A live lease runs until {@code until}; an event records it (no transition). */
  public void extend(Lease lease, Instant until, Instant at, String actor) {
    if (!lease.status().live() || dao.extend(lease.id(), until) != 1) {
      throw new IllegalStateException("lease " + lease.id() + " is " + lease.status().db() + "; cannot extend it");
    }
    EventLog.append(h, Event.lease(lease.id(), at, actor, lease.status().db(), lease.status().db(), lease.nodeId(),
        lease.nodeId(), "extended to " + until));
  }

  private void change(List<Lease> leases, LeaseStatus to, Instant at, String actor, Function<Lease, String> reason,
      Function<Lease, Long> toNode) {
    if (leases.isEmpty()) {
      return;
    }
    LeaseStatus from = leases.get(0).status();
    List<Long> ids = ids(leases, to);
    if (leases.stream().anyMatch(l -> l.status() != from)) {
      throw new IllegalStateException("leases " + ids + " are not all " + from.db());
    }
    if (dao.setStatus(ids, from.db(), to.db()) != ids.size()) {
      throw new IllegalStateException("leases " + ids + " changed under their lock");
    }
    EventLog.append(h, leases.stream().map(l -> Event.lease(l.id(), at, actor, from.db(), to.db(), l.nodeId(),
        toNode.apply(l), reason.apply(l))).toList());
  }

  /** The leases' ids, after checking each may go to {@code to}. */
  private static List<Long> ids(List<Lease> leases, LeaseStatus to) {
    for (Lease l : leases) {
      LeaseStatus.requireChange(l.status(), to);
    }
    return leases.stream().map(Lease::id).toList();
  }
}

package dev.orion.scheduler.claim;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One kind of claimed background work (expiry, health, migration, scrub, rescue, ...). The shape
 * is always the same:
 *
 * <ol>
 *   <li>{@link #claim}: in one short transaction, lock due rows with {@code FOR UPDATE SKIP LOCKED}
 *       (the queue's own {@code lockDue.sql}), record the claim and load what the work needs;
 *   <li>do the work outside any transaction (SSH, ...), while the {@link ClaimRenewer} renews the
 *       claim;
 *   <li>{@link #complete}: in one transaction, lock the rows whose claim is still ours and not
 *       lapsed (the fence) and write the outcome for those only; or {@link #release} to retry later.
 * </ol>
 *
 * A scheduler that dies or hangs delays its work by at most the claim timeout; when it wakes up its
 * completion finds the claim gone and writes nothing. Handlers must therefore be idempotent: the
 * work of a lost claim may be done again by whoever took it over.
 */
public final class ClaimQueue<T> {
  private static final Logger log = LoggerFactory.getLogger(ClaimQueue.class);

  /** What a queue's rows are: how due rows are found and what is loaded for the work. */
  public interface Source<T> {
    /** Locks up to {@code limit} due, unclaimed rows ({@code FOR UPDATE SKIP LOCKED}); returns their ids. */
    List<Long> lockDue(Handle h, Instant now, int limit);

    /** Loads what the work needs for the rows just claimed. */
    List<T> load(Handle h, List<Long> ids);

    long id(T item);
  }

  /** Writes the outcome for the claims still held; runs inside the completing transaction. */
  @FunctionalInterface
  public interface Completion<T, R> {
    R complete(Handle h, List<Claim<T>> held);
  }

  /** Takes locks that must come before the claimed rows' (every writer locks a lease before its node). */
  @FunctionalInterface
  public interface LockFirst {
    void lock(Handle h);
  }

  private final String name;
  private final ClaimTable table;
  private final Jdbi jdbi;
  private final Claimant claimant;
  private final ClaimRenewer renewer;
  private final Source<T> source;

  public ClaimQueue(String name, ClaimTable table, Jdbi jdbi, Claimant claimant, ClaimRenewer renewer,
      Source<T> source) {
    this.name = name;
    this.table = table;
    this.jdbi = jdbi;
    this.claimant = claimant;
    this.renewer = renewer;
    this.source = source;
  }

  public String name() {
    return name;
  }

  public Claimant claimant() {
    return claimant;
  }

  /** Claims up to {@code limit} due rows; they are renewed until completed or released. */
  public List<Claim<T>> claim(int limit) {
    Instant now = claimant.now();
    List<Claim<T>> claims = ClaimTx.run(jdbi, h -> {
      List<Long> ids = source.lockDue(h, now, limit);
      if (ids.isEmpty()) {
        return List.<Claim<T>>of();
      }
      h.attach(ClaimDao.class).claim(table.sql(), ids, claimant.id(), claimant.until(now));
      return source.load(h, ids).stream().map(item -> new Claim<>(source.id(item), item)).toList();
    });
    renewer.hold(table, claims);
    return claims;
  }

  public <R> R complete(List<Claim<T>> claims, Completion<T, R> work) {
    return complete(claims, h -> { }, work);
  }

  /**
   * Runs {@code work} in one transaction over those of {@code claims} still ours, then lets go of
   * them. Claims found lost are marked and left out, so a scheduler that lost its claim writes
   * nothing. However this ends, the claims are no longer renewed.
   */
  public <R> R complete(List<Claim<T>> claims, LockFirst lockFirst, Completion<T, R> work) {
    try {
      return fenced(claims, lockFirst, work, true);
    } finally {
      renewer.drop(table, claims);
    }
  }

  /**
   * A step of the work that writes to the database (a migration reserving its target node): like
   * {@link #complete}, fenced by the claims, but they stay claimed and renewed afterwards.
   */
  public <R> R within(List<Claim<T>> claims, Completion<T, R> work) {
    return fenced(claims, h -> { }, work, false);
  }

  private <R> R fenced(List<Claim<T>> claims, LockFirst lockFirst, Completion<T, R> work, boolean release) {
    if (claims.isEmpty()) {
      return ClaimTx.run(jdbi, h -> work.complete(h, List.of()));
    }
    return ClaimTx.run(jdbi, h -> {
      lockFirst.lock(h);
      ClaimDao dao = h.attach(ClaimDao.class);
      List<Long> ids = claims.stream().map(Claim::id).toList();
      Set<Long> still = new HashSet<>(dao.lockHeld(table.sql(), ids, claimant.id(), claimant.now()));
      List<Claim<T>> held = claims.stream().filter(c -> still.contains(c.id())).toList();
      for (Claim<T> c : claims) {
        if (!still.contains(c.id())) {
          c.markLost();
          log.info("{} {} {}: claim lapsed or taken over; completing nothing", name, table.sql(), c.id());
        }
      }
      R result = work.complete(h, held);
      if (release && !held.isEmpty()) {
        dao.release(table.sql(), held.stream().map(Claim::id).toList(), claimant.id());
      }
      return result;
    });
  }

  /** Lets go of claims without completing them (the work failed; it is due again next round). */
  public void release(List<Claim<T>> claims) {
    if (claims.isEmpty()) {
      return;
    }
    try {
      jdbi.useExtension(ClaimDao.class,
          d -> d.release(table.sql(), claims.stream().map(Claim::id).toList(), claimant.id()));
    } catch (RuntimeException e) {
      log.warn("{}: releasing {} claims failed, they lapse by themselves: {}", name, claims.size(), e.toString());
    } finally {
      renewer.drop(table, claims);
    }
  }
}

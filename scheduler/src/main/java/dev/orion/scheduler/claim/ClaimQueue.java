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
 *       (the queue's own {@code lockDue.sql}), record the claim and load what the work needs,
 *       then hand the claims to the round's {@link Work};
 *   <li>do the work outside any transaction (SSH, ...), while the {@link ClaimRenewer} renews the
 *       claim;
 *   <li>{@link #complete}: in one transaction, lock the rows whose claim is still ours and not
 *       lapsed (the fence) and write the outcome for those only; or {@link #release} to retry later.
 * </ol>
 *
 * Claims live only as long as their round: whatever the work neither completed nor released when
 * it returns or throws is released by {@link #claim} itself. There is no other way to get a claim,
 * so no queue can leave one renewed for the life of the process after an exception.
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

    /** A source from its three parts, as every queue's DAO provides them. */
    static <T> Source<T> of(LockDue lockDue, java.util.function.BiFunction<Handle, List<Long>, List<T>> load,
        java.util.function.ToLongFunction<T> id) {
      return new Source<>() {
        @Override
        public List<Long> lockDue(Handle h, Instant now, int limit) {
          return lockDue.lockDue(h, now, limit);
        }

        @Override
        public List<T> load(Handle h, List<Long> ids) {
          return load.apply(h, ids);
        }

        @Override
        public long id(T item) {
          return id.applyAsLong(item);
        }
      };
    }
  }

  /** The first part of a {@link Source}. */
  @FunctionalInterface
  public interface LockDue {
    List<Long> lockDue(Handle h, Instant now, int limit);
  }

  /** Writes the outcome for the claims still held; runs inside the completing transaction. */
  @FunctionalInterface
  public interface Completion<T, R> {
    R complete(Handle h, List<Claim<T>> held);
  }

  /**
   * Settles, inside the claiming transaction, the loaded items that need no work beyond one write:
   * their outcome is written there, under the row locks {@code lockDue} took (as strong a fence as
   * a claim), and they are never claimed. Returns the others, which are claimed as usual.
   */
  @FunctionalInterface
  public interface Settle<T> {
    List<T> settle(Handle h, List<T> items, Instant now);
  }

  /** One round's work over the claims it was given (possibly none). */
  @FunctionalInterface
  public interface Work<T, R> {
    R run(List<Claim<T>> claims);
  }

  /**
   * A fence that also loads: locks those of {@code ids} still claimed by {@code me} and not lapsed
   * at {@code now} ({@code FOR UPDATE}) and returns them as rows, for work that needs the locked
   * rows anyway (a lease store completion): the fence and the work's own lock are one statement.
   * Same conditions as {@code ClaimDao/lockHeld.sql}.
   */
  @FunctionalInterface
  public interface LockHeld<L> {
    List<L> lockHeld(Handle h, List<Long> ids, String me, Instant now);
  }

  /** Writes the outcome for the claims still held, given their rows as the fence locked them. */
  @FunctionalInterface
  public interface LockedCompletion<T, L, R> {
    R complete(Handle h, List<Claim<T>> held, List<L> locked);
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

  /**
   * Claims up to {@code limit} due rows and runs {@code work} over them; they are renewed while it
   * runs. Those it neither completed nor released by the time it returns or throws are no longer
   * renewed and are released, so a round that fails halfway delays its items by one round (at
   * worst, if the release cannot reach the database, by the claim timeout), never for good.
   */
  public <R> R claim(int limit, Work<T, R> work) {
    return claim(limit, null, work);
  }

  /**
   * Like {@link #claim(int, Work)}, but the due rows are loaded before they are claimed and
   * {@code settle} writes the outcome of those that need no work in the same transaction; only
   * the others are claimed and given to {@code work}. For work that is mostly a look that finds
   * nothing to do (a pool's schedule checked every few seconds): such a row costs its lock and one
   * write, no claim, renewal, fence or release.
   */
  public <R> R claim(int limit, Settle<T> settle, Work<T, R> work) {
    List<Claim<T>> claims = take(limit, settle);
    try {
      return work.run(claims);
    } finally {
      letGo(claims);
    }
  }

  /**
   * Claims up to {@code limit} due rows and runs {@code work} over each on its own, on
   * {@code executor}: each claim is a round of its own, for work that lasts (a job attempt is
   * watched to its end) and must not hold up the others. As with {@link #claim}, whatever a round
   * neither completed nor released when it ends is released. Returns how many were claimed.
   */
  public int claimEach(int limit, java.util.concurrent.Executor executor, Work<T, ?> work) {
    List<Claim<T>> claims = take(limit, null);
    for (int i = 0; i < claims.size(); i++) {
      List<Claim<T>> one = List.of(claims.get(i));
      try {
        executor.execute(() -> {
          try {
            work.run(one);
          } catch (RuntimeException e) {
            log.error("{} {} {}: round failed; released, due again", name, table.sql(), one.get(0).id(), e);
          } finally {
            letGo(one);
          }
        });
      } catch (RuntimeException rejected) {
        List<Claim<T>> rest = claims.subList(i, claims.size());
        log.warn("{}: {} claims not run ({}); released", name, rest.size(), rejected.toString());
        release(rest);
        return i;
      }
    }
    return claims.size();
  }

  private List<Claim<T>> take(int limit, Settle<T> settle) {
    Instant now = claimant.now();
    List<Claim<T>> claims = ClaimTx.run(jdbi, h -> {
      List<Long> ids = source.lockDue(h, now, limit);
      if (ids.isEmpty()) {
        return List.<Claim<T>>of();
      }
      List<T> items;
      if (settle == null) {
        h.attach(ClaimDao.class).claim(table.sql(), ids, claimant.id(), claimant.until(now));
        items = source.load(h, ids);
      } else {
        items = settle.settle(h, source.load(h, ids), now);
        if (!items.isEmpty()) {
          h.attach(ClaimDao.class).claim(table.sql(), items.stream().map(source::id).toList(), claimant.id(),
              claimant.until(now));
        }
      }
      return items.stream().map(item -> new Claim<>(source.id(item), item)).toList();
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

  /**
   * Like {@link #complete}, with the fence done by {@code lockHeld}, which returns the held rows
   * locked; {@code work} gets them with the held claims.
   */
  public <L, R> R complete(List<Claim<T>> claims, LockHeld<L> lockHeld, java.util.function.ToLongFunction<L> id,
      LockedCompletion<T, L, R> work) {
    try {
      return fenced(claims, h -> { }, lockHeld, id, work, true);
    } finally {
      renewer.drop(table, claims);
    }
  }

  private <R> R fenced(List<Claim<T>> claims, LockFirst lockFirst, Completion<T, R> work, boolean release) {
    return fenced(claims, lockFirst,
        (h, ids, me, now) -> h.attach(ClaimDao.class).lockHeld(table.sql(), ids, me, now), Long::longValue,
        (h, held, locked) -> work.complete(h, held), release);
  }

  private <L, R> R fenced(List<Claim<T>> claims, LockFirst lockFirst, LockHeld<L> lockHeld,
      java.util.function.ToLongFunction<L> id, LockedCompletion<T, L, R> work, boolean release) {
    if (claims.isEmpty()) {
      return ClaimTx.run(jdbi, h -> work.complete(h, List.of(), List.of()));
    }
    return ClaimTx.run(jdbi, h -> {
      lockFirst.lock(h);
      List<Long> ids = claims.stream().map(Claim::id).toList();
      List<L> locked = lockHeld.lockHeld(h, ids, claimant.id(), claimant.now());
      Set<Long> still = new HashSet<>();
      locked.forEach(row -> still.add(id.applyAsLong(row)));
      List<Claim<T>> held = claims.stream().filter(c -> still.contains(c.id())).toList();
      for (Claim<T> c : claims) {
        if (!still.contains(c.id())) {
          c.markLost();
          log.info("{} {} {}: claim lapsed or taken over; completing nothing", name, table.sql(), c.id());
        }
      }
      R result = work.complete(h, held, locked);
      if (release && !held.isEmpty()) {
        h.attach(ClaimDao.class).release(table.sql(), held.stream().map(Claim::id).toList(), claimant.id());
      }
      return result;
    });
  }

  /** The end of a round: releases whatever of its claims is still held (neither completed nor released). */
  private void letGo(List<Claim<T>> claims) {
    List<Claim<T>> left = renewer.dropHeld(table, claims);
    if (!left.isEmpty()) {
      log.warn("{}: {} claims neither completed nor released by their round; released: {}", name, left.size(),
          left.stream().map(Claim::id).toList());
      release(left);
    }
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

package dev.orion.scheduler.claim;

/**
 * One unit of work this scheduler holds: the claimed row's id and what was loaded with it. The
 * claim is renewed while the work runs; {@link #lost()} turns true once a renewal or a completion
 * found the row no longer ours (the claim lapsed and another scheduler may have it), so long work
 * can stop early. Completion checks the database itself, never this flag alone.
 */
public final class Claim<T> {
  private final long id;
  private final T item;
  private volatile boolean lost;

  Claim(long id, T item) {
    this.id = id;
    this.item = item;
  }

  public long id() {
    return id;
  }

  public T item() {
    return item;
  }

  public boolean lost() {
    return lost;
  }

  void markLost() {
    lost = true;
  }
}

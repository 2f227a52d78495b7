package dev.orion.common.schedule;

/** What a schedule asks of a pool at a transition, and the state it leaves the pool in. */
public enum Action {
  WAKE,
  SLEEP;

  /** The JSON spelling ({@code wake}, {@code sleep}). */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

package dev.orion.autoscaler;

import dev.orion.autoscaler.replica.Replica;
import java.time.Instant;

/** The autoscaler's view of one replica: where it is in its life and since when. */
final class Tracked {
  final Replica replica;
  final Instant since;
  volatile Phase phase;
  /** Started as a warm spare: goes to STANDBY, not SERVING, once ready. */
  volatile boolean spare;
  volatile Instant servingSince;
  /**
   * When the ready timeout starts counting: the start, or the last time the replica said it was
   * alive and waiting for its database.
   */
  volatile Instant readyClock;
  /** Logged once that it waits for its database past the ready timeout. */
  volatile boolean waitLogged;

  Tracked(Replica replica, Phase phase, Instant since, boolean spare) {
    this.replica = replica;
    this.phase = phase;
    this.since = since;
    this.spare = spare;
    this.readyClock = since;
  }

  /** Counts toward the current size: not leaving and not a spare. */
  boolean counts() {
    return phase != Phase.LEAVING && !spare;
  }
}

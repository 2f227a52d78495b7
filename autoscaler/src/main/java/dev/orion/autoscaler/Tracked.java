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

  Tracked(Replica replica, Phase phase, Instant since, boolean spare) {
    this.replica = replica;
    this.phase = phase;
    this.since = since;
    this.spare = spare;
  }

  /** Counts toward the current size: not leaving and not a spare. */
  boolean counts() {
    return phase != Phase.LEAVING && !spare;
  }
}

package dev.orion.autoscaler;

/** Where a replica stands in the autoscaler's eyes. */
enum Phase {
  /** Running but not yet answering /api/ready; not in Caddy. */
  STARTING,
  /** Answered /api/ready; in Caddy's upstreams. */
  SERVING,
  /** A warm spare: answered /api/ready, kept out of Caddy until a scale-up needs it. */
  STANDBY,
  /** Chosen for removal: out of Caddy, draining, then stopped. */
  LEAVING
}

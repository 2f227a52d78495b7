package dev.orion.autoscaler;

/** Where a replica stands in the autoscaler's eyes. */
enum Phase {
  /** Running but not yet answering /api/ready; not in Caddy. */
  STARTING,
  /** Answered /api/ready; in Caddy's upstreams. */
  SERVING,
  /** Chosen for removal: out of Caddy, draining, then stopped. */
  LEAVING
}

package dev.orion.api.job;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.orion.api.http.Json;
import dev.orion.common.job.JobSpec;
import dev.orion.common.problem.OrionException;
import java.util.List;
import java.util.Map;

/**
 * Where a job may run, checked against the fleet: a pool Orion knows, or one of the caller's own
 * live leases; and container images only where a worker says it can run them.
 */
final class Targets {
  private static final TypeReference<Map<String, String>> LABELS = new TypeReference<>() {};

  private Targets() {}

  /**
   * A pool is known when a node was ever registered in it or it has settings or a schedule. An
   * unknown name is far likelier a typo than a pool whose first worker is yet to come, and a job
   * for it would wait forever: 400. A known pool that sleeps (or has no alive worker now) takes the
   * job; it stays pending (reason PoolAsleep) until the pool wakes.
   */
  static void checkPool(JobDao dao, String pool, JobSpec spec) {
    if (!dao.poolKnown(pool)) {
      throw OrionException.badRequest("pool '" + pool + "' is unknown: no worker has registered in it"
          + " (workers join a pool with ORION_POOL; the default pool is 'default')");
    }
    if (spec.usesImages() && !anyRuntime(dao.poolLabels(pool))) {
      throw OrionException.badRequest("a container image needs a worker that runs containers, and no node of pool '"
          + pool + "' has the label " + JobSpec.CONTAINER_RUNTIME_LABEL + "; drop image to run the command on the"
          + " worker itself");
    }
  }

  /** The caller's own live client lease, or 404 (someone else's lease is as unknown as a missing one). */
  static JobDao.LeaseTarget checkLease(JobDao dao, long rentalId, long userId, JobSpec spec) {
    JobDao.LeaseTarget lease = dao.liveLeaseOf(rentalId, userId)
        .orElseThrow(() -> OrionException.notFound("no live lease " + rentalId + " of yours"));
    if (spec.usesImages() && !anyRuntime(dao.nodeLabels(lease.nodeId()))) {
      throw OrionException.badRequest("a container image needs a worker that runs containers, and the node of lease "
          + rentalId + " has no label " + JobSpec.CONTAINER_RUNTIME_LABEL + "; drop image to run the command there");
    }
    return lease;
  }

  private static boolean anyRuntime(List<String> labelsJson) {
    for (String json : labelsJson) {
      try {
        String runtime = Json.MAPPER.readValue(json, LABELS).get(JobSpec.CONTAINER_RUNTIME_LABEL);
        if (runtime != null && !runtime.isBlank()) {
          return true;
        }
      } catch (Exception e) {
        // a node's labels were checked when it registered; an unreadable set advertises nothing
      }
    }
    return false;
  }
}

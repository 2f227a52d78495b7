package dev.orion.autoscaler.replica;

/**
 * One running API replica as a driver knows it.
 *
 * @param id stable name (process driver: {@code api-<port>}; docker driver: container name)
 * @param dial {@code host:port} at which Caddy and the autoscaler reach it
 * @param pid the local process id, or -1 when the replica is not a local process
 * @param managed whether the autoscaler created it and may remove it; the compose file's own api
 *     container is the template of the copies and is never removed
 */
public record Replica(String id, String dial, long pid, boolean managed) {
  @Override
  public String toString() {
    return pid > 0 ? id + " (pid " + pid + ", " + dial + ")" : id + " (" + dial + ")";
  }
}

package dev.orion.autoscaler.replica;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/** Starts, lists, measures and stops API replicas on one kind of runtime. */
public interface ReplicaDriver extends AutoCloseable {
  /** Short name for logs: {@code process} or {@code docker}. */
  String name();

  /** The replicas running now. A replica that has exited is no longer listed. */
  List<Replica> list();

  /**
   * CPU of one replica in percent of one core since the previous call for it; empty on the first
   * call (there is no interval yet) or when it cannot be read.
   */
  OptionalDouble cpuPercent(Replica replica);

  /**
   * Starts one more replica and returns at once; it is not ready yet.
   *
   * @param ownsSchema whether this replica migrates the schema (the first one of a fresh stack)
   */
  Replica start(boolean ownsSchema);

  /**
   * {@code host:port} of the replica's internal metrics listener, which Prometheus scrapes and no
   * proxy forwards to; empty when the driver does not know it.
   */
  default Optional<String> metricsAddress(Replica replica) {
    return Optional.empty();
  }

  /** Stops a replica: a polite signal, then a forced kill after the driver's grace period. */
  void stop(Replica replica);

  /** Releases the driver's own resources; replicas it started keep running unless it says so. */
  @Override
  void close();
}

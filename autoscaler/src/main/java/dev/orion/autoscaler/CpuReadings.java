package dev.orion.autoscaler;

import dev.orion.autoscaler.replica.Replica;
import dev.orion.autoscaler.replica.ReplicaDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads every replica's CPU at once: the docker driver's stats take about a second each, so one
 * after the other would stretch a tick by a second per replica. An unreadable replica counts as
 * having no reading, never as idle.
 */
final class CpuReadings {
  private static final Logger log = LoggerFactory.getLogger(CpuReadings.class);
  private final ReplicaDriver driver;
  private final ExecutorService readers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "autoscaler-sample");
    t.setDaemon(true);
    return t;
  });

  CpuReadings(ReplicaDriver driver) {
    this.driver = driver;
  }

  /** One reading per replica, in the same order. */
  List<OptionalDouble> read(List<Replica> replicas) {
    List<CompletableFuture<OptionalDouble>> readings = new ArrayList<>();
    for (Replica r : replicas) {
      readings.add(CompletableFuture.supplyAsync(() -> {
        try {
          return driver.cpuPercent(r);
        } catch (RuntimeException e) {
          log.warn("replica {}: CPU unreadable: {}", r, e.toString());
          return OptionalDouble.empty();
        }
      }, readers));
    }
    return readings.stream().map(CompletableFuture::join).toList();
  }
}

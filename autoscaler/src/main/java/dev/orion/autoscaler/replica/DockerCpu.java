package dev.orion.autoscaler.replica;

import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.Statistics;
import java.util.OptionalDouble;

/**
 * CPU percent of one container from a Docker stats sample, computed as {@code docker stats} does:
 * the container's share of the host's CPU time between the previous and the current sample,
 * times the number of CPUs (so a container busy on two cores reads 200).
 */
public final class DockerCpu {
  private DockerCpu() {}

  public static OptionalDouble percent(Statistics s) {
    CpuStatsConfig cur = s.getCpuStats();
    CpuStatsConfig pre = s.getPreCpuStats();
    if (cur == null || pre == null || cur.getCpuUsage() == null || pre.getCpuUsage() == null
        || cur.getSystemCpuUsage() == null || pre.getSystemCpuUsage() == null
        || cur.getCpuUsage().getTotalUsage() == null
        || pre.getCpuUsage().getTotalUsage() == null) {
      return OptionalDouble.empty(); // first sample of a fresh container has no previous one
    }
    long cpuDelta = cur.getCpuUsage().getTotalUsage() - pre.getCpuUsage().getTotalUsage();
    long systemDelta = cur.getSystemCpuUsage() - pre.getSystemCpuUsage();
    if (systemDelta <= 0) {
      return OptionalDouble.empty();
    }
    long cpus = cur.getOnlineCpus() != null && cur.getOnlineCpus() > 0
        ? cur.getOnlineCpus()
        : cur.getCpuUsage().getPercpuUsage() == null ? 1 : cur.getCpuUsage().getPercpuUsage()
            .size();
    return OptionalDouble.of(Math.max(0, (double) cpuDelta / systemDelta * cpus * 100));
  }
}

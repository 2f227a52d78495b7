package dev.orion.api.node;

import dev.orion.api.pool.PoolName;
import dev.orion.api.load.LoadService;
import dev.orion.common.node.Labels;
import dev.orion.common.problem.OrionException;
import dev.orion.common.ssh.HostKeys;
import io.javalin.openapi.OpenApiIgnore;
import java.util.Map;
import java.util.regex.Pattern;

/** Bodies the node endpoints accept, each able to say what is wrong with it. */
public final class NodeRequests {
  private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?");
  private static final Pattern IPV4 = Pattern.compile("((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

  private NodeRequests() {}

  public record Register(String hostname, String ip, Integer sshPort, String hostKey, String pool,
      Map<String, String> labels) {
    @OpenApiIgnore
    void validate() {
      if (hostname == null || ip == null || sshPort == null || hostKey == null) {
        throw OrionException.badRequest("hostname, ip, ssh_port and host_key are required");
      }
      if (!HOSTNAME.matcher(hostname).matches()) {
        throw OrionException.badRequest("hostname is not a valid host name");
      }
      if (!IPV4.matcher(ip).matches() && !(ip.contains(":") && IPV6.matcher(ip).matches())) {
        throw OrionException.badRequest("ip must be an IPv4 or IPv6 address");
      }
      if (sshPort < 1 || sshPort > 65535) {
        throw OrionException.badRequest("ssh_port must be between 1 and 65535");
      }
      try {
        HostKeys.validate(hostKey);
      } catch (IllegalArgumentException e) {
        throw OrionException.badRequest("host_key: " + e.getMessage());
      }
      if (pool != null) {
        PoolName.check("pool", pool);
      }
      if (labels != null) {
        try {
          Labels.validate(labels);
        } catch (IllegalArgumentException e) {
          throw OrionException.badRequest("labels: " + e.getMessage());
        }
      }
    }
  }

  /** Load figures are percentages; the schedulers only need the time it arrived. */
  /**
   * {@code load_source} says where the figures come from: the worker's cgroup ({@code cgroup-v2},
   * {@code cgroup-v1}) against its limits, or the whole machine ({@code proc}).
   */
  public record Heartbeat(String hostname, Double cpuPercent, Double memPercent, String loadSource) {
    @OpenApiIgnore
    void validate() {
      if (hostname == null || !HOSTNAME.matcher(hostname).matches()) {
        throw OrionException.badRequest("hostname is required and must be a valid host name");
      }
      if (loadSource != null && !LoadService.SOURCES.contains(loadSource)) {
        throw OrionException.badRequest("load_source must be one of cgroup-v2, cgroup-v1, proc");
      }
      checkPercent("cpu_percent", cpuPercent);
      checkPercent("mem_percent", memPercent);
    }

    private static void checkPercent(String field, Double v) {
      if (v != null && (v.isNaN() || v < 0 || v > 100)) {
        throw OrionException.badRequest(field + " must be between 0 and 100");
      }
    }
  }
}

package dev.orion.autoscaler.replica;

import com.github.dockerjava.api.command.InspectContainerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a new API container copies from a running one: image, environment, labels, networks
 * (the primary one it is created on, and the others it is connected to before it starts: in
 * compose the control network and the workers' network) and bind mounts (compose mounts the SSH key secret that way). Published ports, restart policy and
 * compose's per-container bookkeeping are left out: Caddy
 * reaches replicas over the network, the autoscaler owns their lifecycle, and compose must not
 * mistake a copy for one of its own numbered containers.
 */
public record ReplicaSpec(String image, List<String> env, Map<String, String> labels,
    String network, List<String> extraNetworks, List<String> binds, Long memoryBytes, Long nanoCpus) {

  /** Set on every container the autoscaler creates, so an operator can tell them apart. */
  public static final String MANAGED_LABEL = "dev.orion.managed-by";

  public ReplicaSpec {
    env = List.copyOf(env);
    labels = Map.copyOf(labels);
    binds = List.copyOf(binds);
    extraNetworks = List.copyOf(extraNetworks);
  }

  public static ReplicaSpec copyOf(InspectContainerResponse template) {
    var config = template.getConfig();
    List<String> env = new ArrayList<>();
    if (config.getEnv() != null) {
      for (String kv : config.getEnv()) {
        // A copy never owns the schema: the template (or the first replica) migrated it.
        // Nor does it hold the migration account.
        if (!kv.startsWith("ORION_DB_MIGRATE=") && !kv.startsWith("ORION_DB_MIGRATE_USER=")
            && !kv.startsWith("ORION_DB_MIGRATE_PASSWORD=")) {
          env.add(kv);
        }
      }
    }
    env.add("ORION_DB_MIGRATE=false");
    Map<String, String> labels = new TreeMap<>();
    if (config.getLabels() != null) {
      config.getLabels().forEach((k, v) -> {
        // Keep the compose project so `docker compose down --remove-orphans` cleans copies up.
        if (!k.startsWith("com.docker.compose.") || k.equals("com.docker.compose.project")) {
          labels.put(k, v);
        }
      });
    }
    labels.put(MANAGED_LABEL, "autoscaler");
    String network = template.getHostConfig() == null ? null
        : template.getHostConfig().getNetworkMode();
    if ((network == null || network.equals("default") || network.equals("bridge"))
        && template.getNetworkSettings() != null
        && template.getNetworkSettings().getNetworks() != null
        && !template.getNetworkSettings().getNetworks().isEmpty()) {
      network = template.getNetworkSettings().getNetworks().keySet().iterator().next();
    }
    List<String> extra = new ArrayList<>();
    if (template.getNetworkSettings() != null && template.getNetworkSettings().getNetworks() != null) {
      for (String n : new TreeMap<>(template.getNetworkSettings().getNetworks()).keySet()) {
        if (!n.equals(network)) {
          extra.add(n);
        }
      }
    }
    var host = template.getHostConfig();
    List<String> binds = new ArrayList<>();
    if (host != null && host.getBinds() != null) {
      for (var b : host.getBinds()) {
        binds.add(b.toString());
      }
    }
    return new ReplicaSpec(config.getImage(), env, labels, network, extra, binds,
        host == null ? null : host.getMemory(), host == null ? null : host.getNanoCPUs());
  }
}

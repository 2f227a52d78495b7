package dev.orion.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The Docker form is checked by Debian's docker-compose, which validates and renders a compose
 * file without a Docker engine.
 */
class ComposeFileTest {
  private static final Path ROOT =
      Path.of(System.getProperty("orion.root", "..")).toAbsolutePath().normalize();
  private static final Map<String, String> SECRETS = Map.of(
      "ORION_DB_PASSWORD", "db-pass", "ORION_DB_ROOT_PASSWORD", "root-pass", "ORION_DB_MIGRATE_PASSWORD", "mig-pass",
      "ORION_JWT_SECRET", "jwt", "ORION_AGENT_TOKEN", "agent", "ORION_ADMIN_PASSWORD", "admin");

  private record Result(int exit, String output) {}

  private static Result compose(Map<String, String> env, String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("docker-compose", "--project-directory",
        ROOT.toString(), "-f", ROOT.resolve("docker-compose.yml").toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    for (String k : SECRETS.keySet()) {
      pb.environment().remove(k);
    }
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (java.io.IOException e) {
      throw new AssertionError("docker-compose is not installed (apt-get install docker-compose)",
          e);
    }
    String out = new String(p.getInputStream().readAllBytes());
    return new Result(p.waitFor(), out);
  }

  @Test
  void composeAcceptsTheFileAndItHasEveryService() throws Exception {
    Result check = compose(SECRETS, "config", "-q");
    assertEquals(0, check.exit(), check.output());
    Result services = compose(SECRETS, "config", "--services");
    assertEquals(0, services.exit(), services.output());
    Set<String> names = new TreeSet<>(List.of(services.output().strip().split("\\s+")));
    assertEquals(Set.of("mariadb", "api", "scheduler-1", "scheduler-2", "caddy-pool", "caddy",
        "autoscaler", "prometheus", "alertmanager"), names);
  }

  @Test
  void workersGetANetworkWithoutTheDatabaseOrAnyAdminApi() throws Exception {
    Result rendered = compose(SECRETS, "config");
    assertEquals(0, rendered.exit(), rendered.output());
    Map<String, Set<String>> networks = serviceNetworks(rendered.output());
    Set<String> onWorkers = new TreeSet<>();
    networks.forEach((service, nets) -> {
      if (nets.contains("workers")) {
        onWorkers.add(service);
      }
    });
    // The edge (agents' endpoint) and what SSHes to workers; not MariaDB, not the pool Caddy (whose
    // admin API is TCP on the control network), not the autoscaler (the Docker socket).
    assertEquals(Set.of("api", "caddy", "scheduler-1", "scheduler-2"), onWorkers, networks.toString());
    networks.forEach((service, nets) -> assertTrue(nets.contains("control"), service + " " + nets));
    assertTrue(rendered.output().contains("name: orion_workers"), "worker containers join it by name");
  }

  /** Each service's networks, from `docker-compose config` output (two-space YAML). */
  private static Map<String, Set<String>> serviceNetworks(String yaml) {
    Map<String, Set<String>> out = new java.util.TreeMap<>();
    boolean inServices = false;
    String service = null;
    boolean inNetworks = false;
    for (String line : yaml.lines().toList()) {
      if (!line.startsWith(" ")) {
        inServices = line.equals("services:");
        continue;
      }
      if (!inServices) {
        continue;
      }
      if (line.matches("  [a-z0-9-]+:")) {
        service = line.strip().replace(":", "");
        out.put(service, new TreeSet<>());
        inNetworks = false;
      } else if (line.equals("    networks:")) {
        inNetworks = true;
      } else if (inNetworks && line.startsWith("      ") && !line.startsWith("       ")) {
        out.get(service).add(line.strip().split(":")[0]);
      } else if (!line.startsWith("      ")) {
        inNetworks = false;
      }
    }
    return out;
  }

  @Test
  void theRenderedFileWiresTheAutoscalerToDockerAndThePool() throws Exception {
    Result rendered = compose(SECRETS, "config");
    assertEquals(0, rendered.exit(), rendered.output());
    String yaml = rendered.output();
    assertTrue(yaml.contains("/var/run/docker.sock:/var/run/docker.sock"), yaml);
    assertTrue(yaml.contains("ORION_CADDY_ADMIN: http://caddy-pool:2019"), yaml);
    assertTrue(yaml.contains("dev.orion.role: api"), yaml);
    assertTrue(yaml.contains("docker-entrypoint-initdb.d"), yaml);
    assertTrue(yaml.contains("ORION_DB_PASSWORD: db-pass"), yaml);
  }

  @Test
  void monitoringIsWiredToEveryProcessAndPublishedOnLoopbackOnly() throws Exception {
    Result rendered = compose(SECRETS, "config");
    assertEquals(0, rendered.exit(), rendered.output());
    String yaml = rendered.output();
    assertTrue(yaml.contains("ORION_METRICS_PORT: '9470'") || yaml.contains("ORION_METRICS_PORT: \"9470\""), yaml);
    assertTrue(yaml.contains("ORION_AUTOSCALER_API_METRICS_PORT"), yaml);
    assertTrue(yaml.contains("--cluster.listen-address="), yaml);
    assertTrue(yaml.contains("127.0.0.1:19090:9090") || yaml.contains("host_ip: 127.0.0.1"), yaml);
    String prometheus = Files.readString(ROOT.resolve("monitoring/compose/prometheus.yml"));
    for (String target : List.of("autoscaler:9490/targets/api", "scheduler-1:9480", "scheduler-2:9480",
        "autoscaler:9490", "alertmanager:9093")) {
      assertTrue(prometheus.contains(target), "compose Prometheus scrapes " + target);
    }
  }

  @Test
  void aMissingSecretIsRefusedByName() throws Exception {
    Map<String, String> env = new java.util.HashMap<>(SECRETS);
    env.remove("ORION_JWT_SECRET");
    Result r = compose(env, "config", "-q");
    assertNotEquals(0, r.exit());
    assertTrue(r.output().contains("ORION_JWT_SECRET"), r.output());
  }

  @Test
  void everyImageHasItsBuildTarget() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("docker/Dockerfile"));
    String compose = Files.readString(ROOT.resolve("docker-compose.yml"));
    for (String service : List.of("api", "scheduler", "autoscaler")) {
      assertTrue(dockerfile.contains("AS " + service + "\n"), "docker/Dockerfile has a stage " + service);
      assertTrue(dockerfile.contains("orion-" + service + ".jar"), service + " ships its fat jar");
      assertTrue(compose.contains("target: " + service), "docker-compose.yml builds the " + service + " target");
    }
    assertTrue(Files.isRegularFile(ROOT.resolve("docker/worker/Dockerfile")));
    assertTrue(Files.isRegularFile(ROOT.resolve("init/01-orion.sql")));
  }
}

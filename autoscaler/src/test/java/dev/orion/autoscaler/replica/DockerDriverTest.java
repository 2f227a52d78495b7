package dev.orion.autoscaler.replica;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.core.DockerClientConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The docker driver's pure parts, fed with documents in the Docker Engine API's own format and
 * parsed by docker-java's own mapper, as the driver receives them from a real engine. The
 * request the driver would send is built through docker-java without contacting an engine.
 */
class DockerDriverTest {
  private static final ObjectMapper MAPPER = DockerClientConfig.getDefaultObjectMapper();

  private static final String INSPECT = """
      {
        "Id": "8dfafdbc3a40a1b2c3d4e5f60718293a4b5c6d7e8f9012345678901234567890",
        "Name": "/orion-api-1",
        "Config": {
          "Image": "orion/api:latest",
          "Env": ["ORION_DB_URL=jdbc:mariadb://mariadb:3306/orion", "ORION_JWT_SECRET=s3cret",
                  "ORION_DB_MIGRATE=true", "ORION_HTTP_PORT=8000", "ORION_HTTP_HOST=0.0.0.0"],
          "Labels": {"dev.orion.role": "api", "com.docker.compose.project": "orion",
                     "com.docker.compose.service": "api",
                     "com.docker.compose.container-number": "1"}
        },
        "HostConfig": {"NetworkMode": "orion_default", "Memory": 536870912, "NanoCpus": 0,
                       "Binds": ["/srv/orion/.orion/admin_ed25519:/run/secrets/orion_ssh_key:ro"],
                       "PortBindings": {"8000/tcp": [{"HostPort": "8000"}]},
                       "RestartPolicy": {"Name": "unless-stopped"}},
        "NetworkSettings": {"Networks": {"orion_workers": {"Aliases": ["api"]},
                                         "orion_default": {"Aliases": ["api"]}}}
      }
      """;

  private static final String STATS = """
      {
        "read": "2026-01-01T12:00:01Z",
        "cpu_stats": {"cpu_usage": {"total_usage": 2300000000, "percpu_usage": [1, 2]},
                      "system_cpu_usage": 105000000000, "online_cpus": 2},
        "precpu_stats": {"cpu_usage": {"total_usage": 800000000},
                         "system_cpu_usage": 103000000000, "online_cpus": 2}
      }
      """;

  @Test
  void aCopyKeepsImageEnvLabelsAndNetworkButNeverMigrates() throws Exception {
    ReplicaSpec spec = ReplicaSpec.copyOf(MAPPER.readValue(INSPECT,
        InspectContainerResponse.class));
    assertEquals("orion/api:latest", spec.image());
    assertTrue(spec.env().contains("ORION_DB_URL=jdbc:mariadb://mariadb:3306/orion"));
    assertTrue(spec.env().contains("ORION_JWT_SECRET=s3cret"));
    assertTrue(spec.env().contains("ORION_DB_MIGRATE=false"));
    assertFalse(spec.env().contains("ORION_DB_MIGRATE=true"));
    assertEquals(Map.of("dev.orion.role", "api", "com.docker.compose.project", "orion",
        ReplicaSpec.MANAGED_LABEL, "autoscaler"), spec.labels());
    assertEquals("orion_default", spec.network());
    assertEquals(List.of("orion_workers"), spec.extraNetworks(), "joins the template's other networks too");
    assertEquals(536870912L, spec.memoryBytes());
    assertEquals(List.of("/srv/orion/.orion/admin_ed25519:/run/secrets/orion_ssh_key:ro"),
        spec.binds(), "the SSH key secret is mounted into copies too");
  }

  @Test
  void theCreateRequestCarriesTheSpecAndNoPublishedPorts() throws Exception {
    ReplicaSpec spec = ReplicaSpec.copyOf(MAPPER.readValue(INSPECT,
        InspectContainerResponse.class));
    // A client for an address nothing listens on: building a command makes no connection.
    try (DockerClient docker = DockerDriver.client("unix:///nonexistent/docker.sock")) {
      CreateContainerCmd cmd = DockerDriver.createCommand(docker, spec, "orion-api-0a1b2c3d");
      assertEquals("orion/api:latest", cmd.getImage());
      assertEquals("orion-api-0a1b2c3d", cmd.getName());
      assertEquals(spec.env(), List.of(cmd.getEnv()));
      assertEquals(spec.labels(), cmd.getLabels());
      assertEquals("orion_default", cmd.getHostConfig().getNetworkMode());
      assertEquals(536870912L, cmd.getHostConfig().getMemory());
      assertEquals("/run/secrets/orion_ssh_key",
          cmd.getHostConfig().getBinds()[0].getVolume().getPath());
      assertTrue(cmd.getHostConfig().getPortBindings() == null
          || cmd.getHostConfig().getPortBindings().getBindings().isEmpty(),
          "copies must not fight over the template's host port");
      // The exact JSON body docker-java would POST to /containers/create.
      var body = MAPPER.readTree(MAPPER.writeValueAsString(cmd));
      assertEquals("orion/api:latest", body.path("Image").asText());
      assertEquals("orion_default", body.path("HostConfig").path("NetworkMode").asText());
      assertEquals("api", body.path("Labels").path("dev.orion.role").asText());
      assertEquals("/srv/orion/.orion/admin_ed25519:/run/secrets/orion_ssh_key:ro",
          body.path("HostConfig").path("Binds").path(0).asText());
    }
  }

  @Test
  void cpuIsComputedAsDockerStatsDoes() throws Exception {
    Statistics s = MAPPER.readValue(STATS, Statistics.class);
    // 1.5 s of container CPU over 2 s of system CPU time across 2 CPUs = 150 % of one core.
    assertEquals(150.0, DockerCpu.percent(s).getAsDouble(), 1e-9);
  }

  @Test
  void aFirstSampleWithoutPreviousReadingHasNoCpu() throws Exception {
    Statistics s = MAPPER.readValue("""
        {"cpu_stats": {"cpu_usage": {"total_usage": 5}, "system_cpu_usage": 10,
                       "online_cpus": 2},
         "precpu_stats": {"cpu_usage": {}}}
        """, Statistics.class);
    assertTrue(DockerCpu.percent(s).isEmpty());
  }

  @Test
  void listedContainersBecomeReplicasDialledByName() throws Exception {
    Container c = MAPPER.readValue("""
        {"Id": "8dfafdbc3a40ffff", "Names": ["/orion-api-1"], "Image": "orion/api:latest",
         "Labels": {"dev.orion.role": "api"}, "State": "running"}
        """, Container.class);
    assertEquals(new Replica("orion-api-1", "orion-api-1:8000", -1, false),
        DockerDriver.toReplica(c, 8000), "the compose container is not the autoscaler's");
    Container copy = MAPPER.readValue("""
        {"Id": "9dfafdbc3a40ffff", "Names": ["/orion-api-0a1b2c3d"],
         "Labels": {"dev.orion.role": "api", "dev.orion.managed-by": "autoscaler"}}
        """, Container.class);
    assertEquals(new Replica("orion-api-0a1b2c3d", "orion-api-0a1b2c3d:8000", -1, true),
        DockerDriver.toReplica(copy, 8000));
  }

  @Test
  void copiesAreNamedAfterTheTemplate() {
    assertEquals("orion-api", DockerDriver.namePrefix("orion-api-1"));
    assertEquals("orion-api", DockerDriver.namePrefix("orion_api_1"));
    assertEquals("orion-api", DockerDriver.namePrefix("orion-api-0a1b2c3d"));
  }
}

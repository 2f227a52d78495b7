package dev.orion.autoscaler.replica;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.CreateContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import dev.orion.autoscaler.AutoscalerConfig;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * API replicas as Docker containers carrying a role label. New replicas copy a running one (see
 * {@link ReplicaSpec}); Caddy reaches them by container name on their shared network.
 */
public final class DockerDriver implements ReplicaDriver {
  private static final Logger log = LoggerFactory.getLogger(DockerDriver.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private final DockerClient docker;
  private final String labelKey;
  private final String labelValue;
  private final int apiPort;
  private final int metricsPort;
  private final Duration stopGrace;

  public DockerDriver(DockerClient docker, String label, int apiPort, Duration stopGrace) {
    this(docker, label, apiPort, stopGrace, 0);
  }

  /** {@code metricsPort}: the replicas' ORION_METRICS_PORT, 0 when they serve no metrics. */
  public DockerDriver(DockerClient docker, String label, int apiPort, Duration stopGrace,
      int metricsPort) {
    this.docker = docker;
    this.metricsPort = metricsPort;
    int eq = label.indexOf('=');
    this.labelKey = label.substring(0, eq);
    this.labelValue = label.substring(eq + 1);
    this.apiPort = apiPort;
    this.stopGrace = stopGrace;
  }

  public static DockerDriver connect(AutoscalerConfig.Docker c) {
    return new DockerDriver(client(c.host()), c.label(), c.apiPort(), c.stopGrace(),
        c.metricsPort());
  }

  @Override
  public java.util.Optional<String> metricsAddress(Replica replica) {
    // The container name resolves on the compose network, as it does for Caddy.
    return metricsPort == 0 ? java.util.Optional.empty()
        : java.util.Optional.of(replica.id() + ":" + metricsPort);
  }

  /** A client for {@code host}; no connection is made until a command runs. */
  public static DockerClient client(String host) {
    var config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host).build();
    var http = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(16)
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(Duration.ofSeconds(60))
        .build();
    return DockerClientImpl.getInstance(config, http);
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public List<Replica> list() {
    List<Container> containers = docker.listContainersCmd()
        .withLabelFilter(Map.of(labelKey, labelValue))
        .withStatusFilter(List.of("running"))
        .exec();
    List<Replica> out = new ArrayList<>();
    for (Container c : containers) {
      out.add(toReplica(c, apiPort));
    }
    out.sort((a, b) -> a.id().compareTo(b.id()));
    return out;
  }

  /** Container names come with a leading slash; the bare name is also its DNS name. */
  static Replica toReplica(Container c, int apiPort) {
    String name = c.getNames() != null && c.getNames().length > 0
        ? c.getNames()[0].replaceFirst("^/", "")
        : c.getId().substring(0, 12);
    boolean managed = c.getLabels() != null
        && c.getLabels().containsKey(ReplicaSpec.MANAGED_LABEL);
    return new Replica(name, name + ":" + apiPort, -1, managed);
  }

  @Override
  public OptionalDouble cpuPercent(Replica replica) {
    AtomicReference<Statistics> sample = new AtomicReference<>();
    // With no-stream the daemon waits for two readings, so the sample carries precpu_stats.
    try (ResultCallback.Adapter<Statistics> cb = docker.statsCmd(replica.id()).withNoStream(true)
        .exec(new ResultCallback.Adapter<>() {
          @Override
          public void onNext(Statistics s) {
            sample.set(s);
          }
        })) {
      if (!cb.awaitCompletion(10, TimeUnit.SECONDS)) {
        return OptionalDouble.empty();
      }
    } catch (IOException e) {
      return OptionalDouble.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalDouble.empty();
    }
    return sample.get() == null ? OptionalDouble.empty() : DockerCpu.percent(sample.get());
  }

  @Override
  public Replica start(boolean ownsSchema) {
    // ownsSchema is moot here: compose's api service migrates, copies only validate.
    List<Replica> running = list();
    if (running.isEmpty()) {
      throw new IllegalStateException("no running container labelled " + labelKey + "="
          + labelValue + " to copy; start the api service first");
    }
    // Prefer the compose file's own container as the template: it is the reference config.
    Replica template = running.stream().filter(r -> !r.managed()).findFirst()
        .orElse(running.get(0));
    ReplicaSpec spec = ReplicaSpec.copyOf(docker.inspectContainerCmd(template.id()).exec());
    String name = namePrefix(template.id()) + "-" + HexFormat.of().formatHex(randomBytes());
    CreateContainerResponse created = createCommand(docker, spec, name).exec();
    // A container is created on one network; the template's others (the workers' network the API
    // reaches workers on) are joined before it starts, so it never runs half-connected.
    for (String network : spec.extraNetworks()) {
      docker.connectToNetworkCmd().withContainerId(created.getId()).withNetworkId(network).exec();
    }
    docker.startContainerCmd(created.getId()).exec();
    Replica r = new Replica(name, name + ":" + apiPort, -1, true);
    log.info("replica {} created from {} ({})", r, template.id(), spec.image());
    return r;
  }

  /** The create request for a copy; built without contacting the engine. */
  static CreateContainerCmd createCommand(DockerClient docker, ReplicaSpec spec, String name) {
    HostConfig host = HostConfig.newHostConfig().withNetworkMode(spec.network())
        .withBinds(spec.binds().stream().map(Bind::parse).toList());
    if (spec.memoryBytes() != null && spec.memoryBytes() > 0) {
      host.withMemory(spec.memoryBytes());
    }
    if (spec.nanoCpus() != null && spec.nanoCpus() > 0) {
      host.withNanoCPUs(spec.nanoCpus());
    }
    return docker.createContainerCmd(spec.image())
        .withName(name)
        .withEnv(spec.env())
        .withLabels(spec.labels())
        .withHostConfig(host);
  }

  /** {@code orion-api-1} and {@code orion_api_1} both give {@code orion-api}. */
  static String namePrefix(String templateName) {
    String base = templateName.replaceAll("[-_]\\d+$", "").replaceAll("-[0-9a-f]{8}$", "");
    return base.replace('_', '-');
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[4];
    RANDOM.nextBytes(b);
    return b;
  }

  @Override
  public void stop(Replica replica) {
    try {
      // Docker sends SIGTERM, then SIGKILL after the timeout.
      docker.stopContainerCmd(replica.id()).withTimeout((int) stopGrace.toSeconds()).exec();
    } catch (NotModifiedException alreadyStopped) {
      // fine: it exited on its own
    } catch (NotFoundException gone) {
      return;
    }
    try {
      docker.removeContainerCmd(replica.id()).withForce(true).exec();
    } catch (NotFoundException gone) {
      // removed meanwhile
    }
    log.info("replica {} stopped and removed", replica);
  }

  @Override
  public void close() {
    try {
      docker.close();
    } catch (IOException e) {
      log.warn("closing the Docker client: {}", e.toString());
    }
  }
}

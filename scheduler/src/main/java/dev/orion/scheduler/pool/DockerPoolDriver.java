package dev.orion.scheduler.pool;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import java.time.Duration;

/**
 * Worker containers, named after their worker's hostname: stopped to sleep and started again to
 * wake, so the container keeps its name, address, port mappings, host key and the agent's node
 * token (its state volume). A container already stopped or started is fine (Docker answers 304).
 */
public final class DockerPoolDriver implements PoolDriver {
  public static final String WORKER_LABEL = "dev.orion.worker";

  private final DockerClient docker;
  private final Duration stopGrace;

  public DockerPoolDriver(DockerClient docker, Duration stopGrace) {
    this.docker = docker;
    this.stopGrace = stopGrace;
  }

  /** A driver on the engine docker-java finds the usual way ({@code DOCKER_HOST}, else the local socket). */
  public static DockerPoolDriver connect(Duration stopGrace) {
    var config = com.github.dockerjava.core.DefaultDockerClientConfig.createDefaultConfigBuilder().build();
    var http = new com.github.dockerjava.httpclient5.ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).build();
    return new DockerPoolDriver(com.github.dockerjava.core.DockerClientImpl.getInstance(config, http), stopGrace);
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public void suspend(Target node) throws DriverException {
    checkWorker(node);
    try {
      docker.stopContainerCmd(node.hostname()).withTimeout((int) stopGrace.toSeconds()).exec();
    } catch (NotModifiedException alreadyStopped) {
      // idempotent
    } catch (NotFoundException e) {
      throw new DriverException("no container '" + node.hostname() + "' for node " + node.nodeId(), e);
    } catch (RuntimeException e) { // DockerException, or the engine not answering
      throw new DriverException("stopping container '" + node.hostname() + "': " + e.getMessage(), e);
    }
  }

  @Override
  public void resume(Target node) throws DriverException {
    checkWorker(node);
    try {
      docker.startContainerCmd(node.hostname()).exec();
    } catch (NotModifiedException alreadyRunning) {
      // idempotent
    } catch (NotFoundException e) {
      throw new DriverException("no container '" + node.hostname() + "' for node " + node.nodeId(), e);
    } catch (RuntimeException e) {
      throw new DriverException("starting container '" + node.hostname() + "': " + e.getMessage(), e);
    }
  }

  private void checkWorker(Target node) throws DriverException {
    java.util.Map<String, String> labels;
    try {
      var c = docker.inspectContainerCmd(node.hostname()).exec();
      labels = c.getConfig() == null || c.getConfig().getLabels() == null ? java.util.Map.of() : c.getConfig().getLabels();
    } catch (NotFoundException e) {
      throw new DriverException("no container '" + node.hostname() + "' for node " + node.nodeId(), e);
    } catch (RuntimeException e) {
      throw new DriverException("inspecting container '" + node.hostname() + "': " + e.getMessage(), e);
    }
    if (!"true".equals(labels.get(WORKER_LABEL))) {
      throw new DriverException("container '" + node.hostname() + "' is not labelled " + WORKER_LABEL
          + "=true; node " + node.nodeId() + " is left alone");
    }
  }
}

package dev.orion.scheduler.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PoolDriversTest {
  static final PoolDriver.Target NODE = new PoolDriver.Target(7, "worker-7", "10.77.0.30", 22);
  @TempDir Path dir;

  @Test
  void commandsSeeTheWorkerInTheirEnvironmentNotInTheirText() throws Exception {
    Path out = dir.resolve("calls");
    String record = "printf '%s %s %s %s %s\\n' \"$1\" \"$NODE_ID\" \"$NODE_HOSTNAME\" \"$NODE_IP\" \"$NODE_SSH_PORT\" >> " + out;
    CommandDriver d = new CommandDriver("set -- sleep; " + record, "set -- wake; " + record, Duration.ofSeconds(10));
    d.suspend(NODE);
    d.resume(new PoolDriver.Target(8, "w;rm -rf /", "10.77.0.34", 2222));
    assertEquals(List.of("sleep 7 worker-7 10.77.0.30 22", "wake 8 w;rm -rf / 10.77.0.34 2222"), Files.readAllLines(out));
  }

  @Test
  void aFailingOrHangingCommandFailsTheStepWithItsOutput() {
    CommandDriver failing = new CommandDriver("echo ipmi unreachable >&2; exit 3", "true", Duration.ofSeconds(10));
    PoolDriver.DriverException e = assertThrows(PoolDriver.DriverException.class, () -> failing.suspend(NODE));
    assertTrue(e.getMessage().contains("exited 3: ipmi unreachable"), e.getMessage());
    CommandDriver hanging = new CommandDriver("true", "sleep 30", Duration.ofMillis(300));
    e = assertThrows(PoolDriver.DriverException.class, () -> hanging.resume(NODE));
    assertTrue(e.getMessage().contains("did not finish"), e.getMessage());
  }

  /**
   * The docker driver against a local server speaking the Docker Engine API's stop and start
   * endpoints, through docker-java's real HTTP transport: 204 done, 304 already so, 404 no such
   * container.
   */
  @Test
  void dockerStopsAndStartsTheWorkersContainerIdempotently() throws Exception {
    Map<String, String> state = new ConcurrentHashMap<>(Map.of("worker-7", "running", "mariadb", "running"));
    List<String> calls = new CopyOnWriteArrayList<>();
    HttpServer engine = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    engine.createContext("/", ex -> {
      String path = ex.getRequestURI().getPath().replaceFirst("^/v[0-9.]+", "");
      calls.add(ex.getRequestMethod() + " " + path);
      String[] p = path.split("/"); // ["", "containers", name, "stop"|"start"|"json"]
      int status = 404;
      if (p.length == 4 && p[3].equals("json") && state.containsKey(p[2])) {
        byte[] inspect = ("{\"Id\":\"" + p[2] + "\",\"Name\":\"/" + p[2] + "\",\"Config\":{\"Labels\":"
            + (p[2].startsWith("worker") ? "{\"dev.orion.worker\":\"true\"}" : "{}") + "}}").getBytes();
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(200, inspect.length);
        ex.getResponseBody().write(inspect);
        ex.close();
        return;
      }
      if (p.length == 4 && p[1].equals("containers") && state.containsKey(p[2])) {
        String want = p[3].equals("stop") ? "exited" : "running";
        status = want.equals(state.get(p[2])) ? 304 : 204;
        state.put(p[2], want);
      }
      byte[] body = status == 404 ? "{\"message\":\"No such container\"}".getBytes() : new byte[0];
      ex.getResponseHeaders().add("Content-Type", "application/json");
      ex.sendResponseHeaders(status, status == 404 ? body.length : -1);
      if (body.length > 0 && status == 404) {
        ex.getResponseBody().write(body);
      }
      ex.close();
    });
    engine.start();
    String host = "tcp://127.0.0.1:" + engine.getAddress().getPort();
    DefaultDockerClientConfig cfg = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host)
        .withDockerTlsVerify(false).build();
    try (DockerClient docker = DockerClientImpl.getInstance(cfg,
        new ApacheDockerHttpClient.Builder().dockerHost(URI.create(host)).build())) {
      DockerPoolDriver d = new DockerPoolDriver(docker, Duration.ofSeconds(10));
      d.suspend(NODE);
      assertEquals("exited", state.get("worker-7"));
      d.suspend(NODE); // already stopped: 304
      d.resume(NODE);
      d.resume(NODE);
      assertEquals("running", state.get("worker-7"));
      assertTrue(calls.contains("POST /containers/worker-7/stop"), calls.toString());
      PoolDriver.DriverException e = assertThrows(PoolDriver.DriverException.class,
          () -> d.resume(new PoolDriver.Target(9, "worker-9", "10.77.0.38", 22)));
      assertTrue(e.getMessage().contains("no container 'worker-9'"), e.getMessage());
      e = assertThrows(PoolDriver.DriverException.class,
          () -> d.suspend(new PoolDriver.Target(10, "mariadb", "10.77.0.42", 22)));
      assertTrue(e.getMessage().contains("not labelled"), e.getMessage());
      assertEquals("running", state.get("mariadb"), "a container that is not a worker is never stopped");
    } finally {
      engine.stop(0);
    }
  }
}

package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.orion.testkit.Ports;
import dev.orion.testkit.TestDb;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code ./orion status} reports whether each component answers, not whether a PID lives: every
 * row below has a live process behind it except one, and the state must follow the endpoint.
 * The stack's state directory is the test's own ({@code ORION_HOME}), its endpoints real servers
 * on free loopback ports: a real MariaDB, HTTP servers answering like the services' health and
 * readiness, a listener that accepts and never speaks (a stopped or hung process), and a port
 * where nothing listens (a killed mariadbd behind a live localdb JVM).
 */
class OrionStatusTest {
  private static final Path ROOT = Path.of(System.getProperty("orion.root", "..")).toAbsolutePath().normalize();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Path home;
  private Path pids;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void statusFollowsWhatAnswersNotWhichPidsLive() throws Exception {
    home = Path.of("target", "status-" + ProcessHandle.current().pid()).toAbsolutePath();
    pids = home.resolve("pids");
    Files.createDirectories(pids);
    long alive = ProcessHandle.current().pid();
    Process gone = new ProcessBuilder("true").start();
    gone.waitFor(10, TimeUnit.SECONDS);
    long dead = gone.pid();

    int mariadb = URI.create(TestDb.freshConfig(1).url().substring("jdbc:".length())).getPort();
    int silent = silentListener();
    int nothing = Ports.free();
    record("localdb", alive, mariadb);
    record("scheduler-1", alive, nothing);
    record("scheduler-2", alive, http("/health", 200));
    record("autoscaler", alive, http("/health", 200));
    record("prometheus", dead, nothing);
    record("alertmanager", alive, silent);
    record("caddy-pool", alive, http("/", 502)); // Caddy answers even when no replica does
    // Its process is gone; what answers on its port is someone else's (another stack's edge).
    record("caddy-edge", dead, http("/", 404));
    int ready = http("/api/ready", 200);
    int waiting = http("/api/ready", 503);
    record("api-" + ready, alive, -1);
    record("api-" + waiting, alive, -1);
    Path worker = home.resolve("workers").resolve("worker-1");
    Files.createDirectories(worker);
    Files.writeString(worker.resolve("pid"), alive + "\n");
    Files.writeString(worker.resolve("port"), sshBanner() + "\n");
    Files.writeString(worker.resolve("address"), "127.0.0.1\n");

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("alertmanager", "not-answering");
    expected.put("api-" + ready, "up");
    expected.put("api-" + waiting, "not-ready");
    expected.put("autoscaler", "up");
    expected.put("caddy-edge", "down");
    expected.put("caddy-pool", "up");
    expected.put("localdb", "up");
    expected.put("prometheus", "down");
    expected.put("scheduler-1", "not-answering");
    expected.put("scheduler-2", "up");
    expected.put("worker:worker-1", "up");
    Status s = status();
    assertEquals(expected, s.states, s.output);
    assertEquals(1, s.exit, "not everything is up: " + s.output);

    // The localdb JVM lives on while its mariadbd no longer answers: that is not "up".
    record("localdb", alive, silent);
    s = status();
    assertEquals("not-answering", s.states.get("localdb"), s.output);

    // Everything answering: exit 0.
    record("localdb", alive, mariadb);
    for (String name : List.of("alertmanager", "api-" + waiting, "caddy-edge", "prometheus", "scheduler-1")) {
      Files.delete(pids.resolve(name + ".pid"));
    }
    s = status();
    assertEquals(0, s.exit, s.output);
  }

  private record Status(int exit, Map<String, String> states, String output) {}

  private Status status() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("orion").toString(), "status").redirectErrorStream(true);
    pb.environment().put("ORION_HOME", home.toString());
    pb.environment().put("PROBE_TIMEOUT", "2");
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("./orion status hung: " + out);
    }
    Map<String, String> states = new java.util.TreeMap<>();
    List<String> lines = out.lines().toList();
    assertEquals(List.of("ROLE", "PID", "PORT", "STATE"), List.of(lines.get(0).trim().split("\\s+")), out);
    for (String line : lines.subList(1, lines.size())) {
      String[] cols = line.trim().split("\\s+");
      assertEquals(4, cols.length, "ROLE PID PORT STATE: " + line);
      states.put(cols[0], cols[3]);
    }
    return new Status(p.exitValue(), states, out);
  }

  private void record(String name, long pid, int port) throws IOException {
    Files.writeString(pids.resolve(name + ".pid"), pid + "\n");
    if (port > 0) {
      Files.writeString(pids.resolve(name + ".port"), port + "\n");
    }
  }

  private int http(String path, int status) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(path, ex -> {
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
    open.add(() -> server.stop(0));
    return server.getAddress().getPort();
  }

  /** Accepts connections (the kernel does, from the backlog) and never says a word. */
  private int silentListener() throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(s);
    return s.getLocalPort();
  }

  /** Greets like sshd: the status reads no more than the banner. */
  private int sshBanner() throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    open.add(s);
    Thread t = new Thread(() -> {
      while (!s.isClosed()) {
        try (Socket c = s.accept(); OutputStream out = c.getOutputStream()) {
          out.write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
          out.flush();
        } catch (IOException e) {
          return;
        }
      }
    }, "ssh-banner");
    t.setDaemon(true);
    t.start();
    return s.getLocalPort();
  }
}

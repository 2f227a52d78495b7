package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.orion.testkit.SandboxNet;
import dev.orion.testkit.SandboxWorker;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real agent process inside a sandbox worker's namespaces, registering and heartbeating. */
class AgentInSandboxTest {
  @Test
  void registersWithTheWorkersOwnHostnamePortAndHostKeyThenHeartbeats() throws Exception {
    BlockingQueue<String> registrations = new LinkedBlockingQueue<>();
    BlockingQueue<String> heartbeats = new LinkedBlockingQueue<>();
    // On every address: the agent inside the worker reaches the host through its gateway, and
    // the host lets workers reach only the ports put in Orion's table (SandboxNet).
    HttpServer api = HttpServer.create(new InetSocketAddress(0), 0);
    int[] calls = {0};
    api.createContext("/api/workers/register", ex -> {
      String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      boolean fail = calls[0]++ == 0; // the control plane is not up yet on the first try
      if (!fail) {
        registrations.add(ex.getRequestHeaders().getFirst("Authorization") + " " + body);
      }
      respond(ex, fail ? 503 : 201, fail ? "" : "{\"message\":\"Worker registered\",\"node_id\":5,\"node_token\":\"nt-5\"}");
    });
    api.createContext("/api/workers/heartbeat", ex -> {
      heartbeats.add(ex.getRequestHeaders().getFirst("Authorization") + " " +new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      respond(ex, 204, "");
    });
    api.start();
    // The agent's classes and the one class of common it ships with (the label rule).
    String classes = Path.of("target", "classes").toAbsolutePath() + ":"
        + Path.of("..", "common", "target", "classes").toAbsolutePath().normalize();
    SandboxNet open = SandboxNet.allow(api.getAddress().getPort());
    // 127.0.0.1 is the worker's own loopback inside; worker.sh points it at the gateway instead.
    SandboxWorker w = SandboxWorker.startWithAgent("agent-e2e",
        "exec java -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + classes + "' dev.orion.agent.AgentMain",
        Map.of("API_ENDPOINT", "http://127.0.0.1:" + api.getAddress().getPort(), "ORION_AGENT_TOKEN", "tok",
            "ORION_HEARTBEAT_INTERVAL", "200ms", "ORION_LABELS", "zone=lab"));
    try {
      String reg = registrations.poll(30, TimeUnit.SECONDS);
      assertTrue(reg != null, () -> "no registration; agent log: " + read(w.agentLog()));
      assertEquals("Bearer tok {\"hostname\":\"agent-e2e\",\"ip\":\"" + w.ip() + "\",\"ssh_port\":" + w.port()
          + ",\"host_key\":" + Json.string(w.hostKey()) + ",\"labels\":{\"zone\":\"lab\"}}", reg);
      String beat = heartbeats.poll(30, TimeUnit.SECONDS);
      assertTrue(beat != null && beat.startsWith("Bearer nt-5 {\"hostname\":\"agent-e2e\",\"cpu_percent\":"), beat);
      // Kept outside the namespace, in the worker's state directory, readable by root only.
      Path token = w.dir().resolve("agent").resolve("node_token");
      assertEquals("nt-5", Files.readString(token).strip());
      assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    } finally {
      w.close();
      api.stop(0);
      open.close();
    }
  }

  private static void respond(com.sun.net.httpserver.HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
    if (b.length > 0) {
      ex.getResponseBody().write(b);
    }
    ex.close();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(none: " + e + ")";
    }
  }
}

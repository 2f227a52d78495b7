package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real agent process stops, says why and exits non-zero when retrying cannot help: a label
 * the API would refuse (at start, before any request), and an answer no retry changes.
 */
class AgentExitTest {
  @TempDir Path tmp;

  Process agent(Map<String, String> env) throws Exception {
    Path key = tmp.resolve("host.pub");
    Files.writeString(key, AgentConfigTest.KEY + "\n");
    String classes = Path.of("target", "classes").toAbsolutePath() + File.pathSeparator
        + Path.of("..", "common", "target", "classes").toAbsolutePath().normalize();
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx32m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", classes, "dev.orion.agent.AgentMain");
    pb.environment().clear();
    pb.environment().putAll(Map.of("MY_HOST_PORT", "2201", "ORION_AGENT_TOKEN", "tok", "MY_HOSTNAME", "w-exit",
        "ORION_HOST_KEY_FILE", key.toString(), "ORION_AGENT_STATE_DIR", tmp.resolve("state").toString()));
    pb.environment().putAll(env);
    pb.redirectErrorStream(true);
    return pb.start();
  }

  static String finish(Process p) throws Exception {
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the agent exits by itself");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  @Test
  void aLabelTheApiWouldRefuseStopsTheAgentAtStart() throws Exception {
    Process p = agent(Map.of("API_ENDPOINT", "http://127.0.0.1:9", "ORION_LABELS", "_x=1"));
    String out = finish(p);
    assertEquals(2, p.exitValue(), out);
    assertTrue(out.contains("ORION_LABELS") && out.contains("'_x'"), out);
  }

  @Test
  void aRegistrationTheApiRefusesForGoodStopsTheAgentWithItsDetail() throws Exception {
    HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger calls = new AtomicInteger();
    api.createContext("/api/workers/register", ex -> {
      calls.incrementAndGet();
      byte[] b = ("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
          + "\"detail\":\"ip must be an IPv4 or IPv6 address\"}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "application/problem+json");
      ex.sendResponseHeaders(400, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    api.start();
    try {
      Process p = agent(Map.of("API_ENDPOINT", "http://127.0.0.1:" + api.getAddress().getPort()));
      String out = finish(p);
      assertEquals(Refused.EXIT_STATUS, p.exitValue(), out);
      assertTrue(out.contains("registration refused (HTTP 400)") && out.contains("ip must be an IPv4 or IPv6 address"),
          out);
      assertEquals(1, calls.get(), "asked once: " + out);
    } finally {
      api.stop(0);
    }
  }
}

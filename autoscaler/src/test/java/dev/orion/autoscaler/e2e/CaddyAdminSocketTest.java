package dev.orion.autoscaler.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.autoscaler.caddy.CaddyAdmin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Both Caddys of the project's Caddyfiles keep their admin API off TCP: on a unix socket in a
 * directory only its owner may enter, which the autoscaler's client reaches. A TCP admin API let
 * any local process, a tenant's worker included, rewrite the pool.
 */
class CaddyAdminSocketTest {
  @Test
  void adminApisListenOnUnixSocketsOnlyAndTheAutoscalerReachesThePool() throws Exception {
    try (CaddyUnderTest caddy = new CaddyUnderTest("adminsock").awaitReady(Duration.ofSeconds(60));
        CaddyAdmin admin = new CaddyAdmin(caddy.admin(), Duration.ofSeconds(5))) {
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(caddy.adminDir)));
      assertTrue(Files.exists(caddy.adminDir.resolve("edge.sock")), "the edge's admin socket");

      admin.reconcile(List.of("127.0.0.1:1"));
      String id = admin.apiHandlerIds().get(0);
      assertEquals(List.of("127.0.0.1:1"), admin.upstreams(id), "changed through the socket");

      Set<Integer> listening = new TreeSet<>();
      for (long pid : caddy.pids()) {
        listening.addAll(tcpListenPorts(pid));
      }
      assertEquals(new TreeSet<>(Set.of(caddy.httpsPort, caddy.agentPort, caddy.poolPort)), listening,
          "TCP listeners of both Caddys: their serving ports, no admin API");
    }
  }

  /** The TCP ports {@code pid} listens on, from {@code ss}. */
  static Set<Integer> tcpListenPorts(long pid) throws Exception {
    Process p = new ProcessBuilder("ss", "-Hltnp").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    Set<Integer> ports = new TreeSet<>();
    Pattern line = Pattern.compile("\\S+\\s+\\d+\\s+\\d+\\s+\\S*:(\\d+)\\s+.*pid=" + pid + ",");
    for (String l : out.lines().toList()) {
      Matcher m = line.matcher(l);
      if (m.find()) {
        ports.add(Integer.parseInt(m.group(1)));
      }
    }
    return ports;
  }
}

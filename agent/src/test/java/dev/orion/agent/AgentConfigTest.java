package dev.orion.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentConfigTest {
  static final String KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAII9IagXQt1LB2g0EUflbNjGL7A+s9GfQ0zWuB4Iq613b root@w1";
  @TempDir Path tmp;

  Map<String, String> env() throws Exception {
    Path key = tmp.resolve("host.pub");
    Files.writeString(key, KEY + "\n");
    Map<String, String> env = new HashMap<>();
    env.put("API_ENDPOINT", "http://127.0.0.1:7070/");
    env.put("MY_HOST_PORT", "2201");
    env.put("ORION_AGENT_TOKEN", "tok");
    env.put("ORION_HOST_KEY_FILE", key.toString());
    return env;
  }

  @Test
  void readsDefaults() throws Exception {
    AgentConfig c = AgentConfig.from(env());
    assertEquals("http://127.0.0.1:7070", c.apiEndpoint().toString());
    assertEquals(2201, c.sshPort());
    assertEquals("127.0.0.1", c.ip());
    assertEquals(KEY, c.hostKey());
    assertEquals(Files.readString(Path.of("/proc/sys/kernel/hostname")).strip(), c.hostname());
    assertNull(c.pool());
    assertTrue(c.labels().isEmpty());
    assertEquals(Duration.ofSeconds(10), c.heartbeatInterval());
    assertFalse(c.toString().contains("tok]"), "token is redacted");
  }

  @Test
  void readsEverythingSet() throws Exception {
    Map<String, String> env = env();
    env.put("MY_HOSTNAME", "w7");
    env.put("MY_HOST_IP", "10.0.0.7");
    env.put("ORION_POOL", "gpu");
    env.put("ORION_LABELS", "zone=eu-1, disk = ssd");
    env.put("ORION_HEARTBEAT_INTERVAL", "500ms");
    AgentConfig c = AgentConfig.from(env);
    assertEquals("w7", c.hostname());
    assertEquals("10.0.0.7", c.ip());
    assertEquals("gpu", c.pool());
    assertEquals(Map.of("zone", "eu-1", "disk", "ssd"), c.labels());
    assertEquals(Duration.ofMillis(500), c.heartbeatInterval());
  }

  @Test
  void badValuesNameTheVariable() throws Exception {
    assertNames("API_ENDPOINT", "API_ENDPOINT", null);
    assertNames("API_ENDPOINT", "API_ENDPOINT", "ftp://x");
    assertNames("MY_HOST_PORT", "MY_HOST_PORT", "70000");
    assertNames("MY_HOST_PORT", "MY_HOST_PORT", "ssh");
    assertNames("ORION_AGENT_TOKEN", "ORION_AGENT_TOKEN", " ");
    assertNames("ORION_HOST_KEY_FILE", "ORION_HOST_KEY_FILE", tmp.resolve("missing").toString());
    assertNames("ORION_LABELS", "ORION_LABELS", "zone");
    assertNames("ORION_LABELS", "ORION_LABELS", "_x=1"); // the API refuses a key starting with '_'
    assertNames("ORION_LABELS", "ORION_LABELS", "zone=a,zone=b");
    assertNames("ORION_LABELS", "ORION_LABELS", "k" + "x".repeat(63) + "=1");
    assertNames("ORION_LABELS", "ORION_LABELS", "k=" + "v".repeat(256));
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      many.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    assertNames("ORION_LABELS", "ORION_LABELS", many.toString());
    assertNames("ORION_HEARTBEAT_INTERVAL", "ORION_HEARTBEAT_INTERVAL", "10");
    Path junk = tmp.resolve("junk.pub");
    Files.writeString(junk, "not a key");
    assertNames("ORION_HOST_KEY_FILE", "ORION_HOST_KEY_FILE", junk.toString());
  }

  private void assertNames(String expected, String var, String value) throws Exception {
    Map<String, String> env = env();
    if (value == null) {
      env.remove(var);
    } else {
      env.put(var, value);
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AgentConfig.from(env));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }
}

package dev.orion.api.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.agent.AgentConfig;
import dev.orion.api.support.ApiHarness;
import dev.orion.api.support.Http;
import dev.orion.api.support.TestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent refuses at start exactly the labels the API refuses at registration: an agent never
 * starts with labels it can never register with, and never refuses labels the API would take.
 */
class LabelRuleTest {
  static ApiHarness api;
  @TempDir Path tmp;

  @BeforeAll
  static void start() {
    api = ApiHarness.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Test
  void theAgentAndTheApiAcceptTheSameLabels() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 33; i++) {
      many.append(i == 0 ? "" : ",").append("k").append(i).append("=v");
    }
    List<String> candidates = List.of("zone=eu-1", "_x=1", "-x=1", ".hidden=1", "a/b.c_d-e=ok", "x=", "9=nine",
        "k" + "x".repeat(62) + "=63", "k" + "x".repeat(63) + "=64", "k=" + "v".repeat(255), "k=" + "v".repeat(256),
        "k\u00e9=accent", "k=\u00e9t\u00e9", "a b=space", "k=tab\there", many.toString(),
        many.substring(0, many.lastIndexOf(",")));
    Path key = tmp.resolve("host.pub");
    String hostKey = TestKeys.ed25519();
    Files.writeString(key, hostKey + "\n");
    int accepted = 0;
    for (int i = 0; i < candidates.size(); i++) {
      String labels = candidates.get(i);
      boolean agent;
      try {
        AgentConfig.from(Map.of("API_ENDPOINT", api.url(), "MY_HOST_PORT", "2201", "ORION_AGENT_TOKEN", "t",
            "MY_HOSTNAME", "w-label", "ORION_HOST_KEY_FILE", key.toString(), "ORION_LABELS", labels));
        agent = true;
      } catch (IllegalArgumentException e) {
        assertTrue(e.getMessage().startsWith("ORION_LABELS"), e.getMessage());
        agent = false;
      }
      Map<String, String> parsed = new LinkedHashMap<>();
      for (String pair : labels.split(",")) {
        parsed.put(pair.substring(0, pair.indexOf('=')).strip(), pair.substring(pair.indexOf('=') + 1).strip());
      }
      Http.Response r = api.http.post("/api/workers/register", ApiHarness.AGENT_TOKEN, Http.json(Map.of(
          "hostname", "w-label-" + i, "ip", "127.0.0.1", "ssh_port", 2201, "host_key", TestKeys.ed25519(),
          "labels", parsed)));
      assertTrue(r.status() == 201 || r.status() == 400, r.toString());
      assertEquals(agent, r.status() == 201, "'" + labels + "': agent " + (agent ? "accepts" : "refuses")
          + ", API answers " + r);
      accepted += agent ? 1 : 0;
    }
    assertTrue(accepted > 3 && accepted < candidates.size() - 3, "both sides of the rule are tried: " + accepted);
  }
}

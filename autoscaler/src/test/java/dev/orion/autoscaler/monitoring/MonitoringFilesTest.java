package dev.orion.autoscaler.monitoring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orion.testkit.Promtool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What monitoring/ ships, checked by Prometheus's and Alertmanager's own tools: promtool (config,
 * rules and the rules' unit tests) and amtool.
 */
class MonitoringFilesTest {
  private static final Path ROOT =
      Path.of(System.getProperty("orion.root", "..")).toAbsolutePath().normalize();
  private static final Path MONITORING = ROOT.resolve("monitoring");

  private static void ok(List<String> command) {
    Promtool.Result r = Promtool.run(command, "");
    assertEquals(0, r.exit(), String.join(" ", command) + "\n" + r.output());
  }

  @Test
  void prometheusAcceptsTheLocalConfigAndItsRules() {
    ok(List.of("promtool", "check", "config", MONITORING.resolve("prometheus.yml").toString()));
    ok(List.of("promtool", "check", "rules", MONITORING.resolve("rules.yml").toString()));
  }

  @Test
  void theRulesPassTheirUnitTests() {
    // One alert per node however many replicas export it; queue, restore and dead-node alerts.
    ok(List.of("promtool", "test", "rules", MONITORING.resolve("rules_test.yml").toString()));
  }

  @Test
  void prometheusAcceptsTheComposeConfig() throws Exception {
    // The compose file mounts rules.yml at /etc/prometheus; point the copy at the real file.
    Path dir = Files.createTempDirectory(ROOT.resolve("autoscaler/target"), "prometheus-compose");
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, Files.readString(MONITORING.resolve("compose/prometheus.yml"))
        .replace("/etc/prometheus/rules.yml", MONITORING.resolve("rules.yml").toString()));
    ok(List.of("promtool", "check", "config", config.toString()));
  }

  @Test
  void alertmanagerAcceptsBothConfigsAndTheyDeliverToOrionWithTheToken() throws Exception {
    for (Path file : List.of(MONITORING.resolve("alertmanager.yml"),
        MONITORING.resolve("compose/alertmanager.yml"))) {
      ok(List.of("amtool", "check-config", file.toString()));
      String yaml = Files.readString(file);
      assertTrue(yaml.contains("/api/alerts/alertmanager"), file + " delivers to Orion's webhook");
      assertTrue(yaml.contains("type: Bearer") && yaml.contains("credentials_file:"),
          file + " sends the bearer token from a file, never inline");
      assertTrue(yaml.contains("send_resolved: true"), file + " reports resolved alerts");
    }
  }

  @Test
  void cpuRulesAggregateOverTheProcessesThatExportANode() throws Exception {
    String rules = Files.readString(MONITORING.resolve("rules.yml"));
    for (String alert : List.of("OrionNodeCpuHigh", "OrionNodeCpuModerate")) {
      int at = rules.indexOf("alert: " + alert);
      assertTrue(at >= 0, alert);
      String expr = rules.substring(at, rules.indexOf("for:", at));
      assertTrue(expr.contains("max by (node, pool) (orion_node_cpu_ratio)"), expr);
    }
  }

  @Test
  void everyDashboardQueryIsValidPromql() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(
        MONITORING.resolve("grafana/orion-fleet.json").toFile());
    assertEquals("orion-fleet", dashboard.get("uid").asText());
    List<String> exprs = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      assertFalse(panel.get("title").asText().isBlank());
      for (JsonNode target : panel.get("targets")) {
        exprs.add(target.get("expr").asText());
      }
    }
    assertTrue(exprs.size() >= 10, "queries: " + exprs);
    // promtool has no expression checker of its own: each query becomes a recording rule.
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < exprs.size(); i++) {
      String expr = exprs.get(i).replace("$__rate_interval", "5m");
      rules.append("      - record: dashboard:query_").append(i).append("\n        expr: '")
          .append(expr.replace("'", "''")).append("'\n");
    }
    Path file = Files.createTempFile(ROOT.resolve("autoscaler/target"), "dashboard-rules", ".yml");
    Files.writeString(file, rules);
    ok(List.of("promtool", "check", "rules", file.toString()));
    String all = String.join("\n", exprs);
    for (String metric : List.of("orion_node_cpu_ratio", "orion_leases", "orion_rent_duration_seconds",
        "orion_claim_queue_depth", "orion_loop_tick_seconds", "orion_api_replicas")) {
      assertTrue(all.contains(metric), "the dashboard shows " + metric);
    }
  }
}

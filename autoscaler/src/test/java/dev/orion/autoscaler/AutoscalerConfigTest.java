package dev.orion.autoscaler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AutoscalerConfigTest {
  @TempDir Path dir;

  private AutoscalerConfig load(Map<String, String> vars) {
    return AutoscalerConfig.from(new Env(vars), vars);
  }

  private Map<String, String> processEnv() throws Exception {
    Path jar = Files.createFile(dir.resolve("orion-api.jar"));
    Map<String, String> vars = new HashMap<>();
    vars.put("ORION_AUTOSCALER_API_JAR", jar.toString());
    vars.put("ORION_JWT_SECRET", "very-secret");
    vars.put("ORION_DB_PASSWORD", "pw");
    vars.put("ORION_DB_URL", "jdbc:mariadb://127.0.0.1:3306/orion");
    return vars;
  }

  @Test
  void defaultsKeepTwoReplicasAndUseTheProcessDriver() throws Exception {
    AutoscalerConfig c = load(processEnv());
    assertEquals(AutoscalerConfig.Driver.PROCESS, c.driver());
    assertEquals(2, c.policy().minReplicas());
    assertEquals(0.1, c.policy().tolerance(), 1e-9);
    assertEquals("unix", c.caddyAdmin().getScheme(), "the pool's admin API is a unix socket by default");
    assertTrue(c.caddyAdmin().getPath().endsWith("/caddy/admin/pool.sock"), c.caddyAdmin().toString());
    assertTrue(c.process().command().contains("-jar"));
    assertEquals(1, c.warmSpares());
    assertEquals(Duration.ofSeconds(60), c.policy().scaleDownWindow());
  }

  @Test
  void replicasGetMetricsPortsBeyondTheirOwnRange() throws Exception {
    Map<String, String> vars = processEnv();
    AutoscalerConfig c = load(vars);
    assertEquals(1000, c.process().metricsPortOffset(), "8101 -> 9101");
    assertEquals(AutoscalerConfig.DEFAULT_METRICS_PORT, c.metrics().port());
    vars.put("ORION_AUTOSCALER_METRICS_PORT_OFFSET", "10"); // 8101-8150 would overlap 8111-8160
    ConfigException e = assertThrows(ConfigException.class, () -> load(vars));
    assertTrue(e.getMessage().contains("ORION_AUTOSCALER_METRICS_PORT_OFFSET"), e.getMessage());
  }

  @Test
  void describeHidesSecrets() throws Exception {
    String text = load(processEnv()).describe();
    assertFalse(text.contains("very-secret"), text);
    assertFalse(text.contains("=pw"), text);
    assertTrue(text.contains("ORION_JWT_SECRET=<redacted>"), text);
    assertTrue(text.contains("ORION_DB_URL=jdbc:mariadb://127.0.0.1:3306/orion"), text);
  }

  @Test
  void badValuesNameTheirVariable() throws Exception {
    Map<String, String> vars = processEnv();
    vars.put("ORION_AUTOSCALER_MIN", "4");
    vars.put("ORION_AUTOSCALER_MAX", "3");
    assertTrue(assertThrows(ConfigException.class, () -> load(vars)).getMessage()
        .startsWith("ORION_AUTOSCALER_MAX"));
    vars.remove("ORION_AUTOSCALER_MAX");
    vars.put("ORION_AUTOSCALER_DRIVER", "kubernetes");
    assertTrue(assertThrows(ConfigException.class, () -> load(vars)).getMessage()
        .startsWith("ORION_AUTOSCALER_DRIVER"));
    vars.put("ORION_AUTOSCALER_DRIVER", "process");
    vars.put("ORION_AUTOSCALER_API_JAR", dir.resolve("missing.jar").toString());
    assertTrue(assertThrows(ConfigException.class, () -> load(vars)).getMessage()
        .startsWith("ORION_AUTOSCALER_API_JAR"));
  }

  @Test
  void dockerDriverNeedsNoJar() {
    AutoscalerConfig c = load(Map.of("ORION_AUTOSCALER_DRIVER", "docker",
        "ORION_CADDY_ADMIN", "http://caddy:2019"));
    assertEquals("unix:///var/run/docker.sock", c.docker().host());
    assertEquals("dev.orion.role=api", c.docker().label());
    assertEquals("http://caddy:2019", c.caddyAdmin().toString());
  }
}

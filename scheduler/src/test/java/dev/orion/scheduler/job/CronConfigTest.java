package dev.orion.scheduler.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cron settings: named defaults, and a bad value refused naming its variable. */
class CronConfigTest {
  @Test
  void defaults() {
    assertEquals(new CronConfig(Duration.ofMillis(500), 200, Duration.ofSeconds(30), Duration.ofSeconds(1), 500),
        CronConfig.from(new Env(Map.of())));
  }

  @Test
  void badValuesNameTheirVariable() {
    for (Map<String, String> bad : java.util.List.of(Map.of("ORION_CRON_INTERVAL", "5s"),
        Map.of("ORION_CRON_INTERVAL", "0s"), Map.of("ORION_CRON_RECHECK", "100ms"),
        Map.of("ORION_JOB_TTL_INTERVAL", "0s"), Map.of("ORION_CRON_BATCH", "0"),
        Map.of("ORION_JOB_TTL_BATCH", "100000"))) {
      ConfigException e = assertThrows(ConfigException.class, () -> CronConfig.from(new Env(bad)), bad.toString());
      String name = bad.keySet().iterator().next();
      assertTrue(e.getMessage().contains(name), e.getMessage());
    }
  }
}

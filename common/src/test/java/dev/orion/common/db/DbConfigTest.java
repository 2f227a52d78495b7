package dev.orion.common.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DbConfigTest {
  @Test
  void defaultsAndSecretRedaction() {
    DbConfig c = DbConfig.from(new Env(Map.of("ORION_DB_PASSWORD", "hunter2")), 8);
    assertEquals(DbConfig.DEFAULT_URL, c.url());
    assertEquals(8, c.poolSize());
    assertEquals(Duration.ofSeconds(30), c.socketTimeout());
    assertFalse(c.toString().contains("hunter2"), c.toString());
  }

  @Test
  void socketTimeoutMustOutlastTheLockWaitAndStayBounded() {
    assertEquals(Duration.ofSeconds(11),
        DbConfig.from(new Env(Map.of("ORION_DB_SOCKET_TIMEOUT", "11s")), 8).socketTimeout());
    for (String bad : new String[] {"10s", "5s", "2h", "0s", "soon"}) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> DbConfig.from(new Env(Map.of("ORION_DB_SOCKET_TIMEOUT", bad)), 8), bad);
      assertTrue(e.getMessage().startsWith("ORION_DB_SOCKET_TIMEOUT "), e.getMessage());
    }
  }
}

package dev.orion.scheduler.testing;

import dev.orion.common.config.Env;
import dev.orion.common.db.DbConfig;
import dev.orion.scheduler.SchedulerConfig;
import java.util.HashMap;
import java.util.Map;

/** Scheduler configurations for tests: the defaults, pointed at a test database. */
public final class Instances {
  private Instances() {}

  public static Map<String, String> env(String id, DbConfig db, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>();
    env.put("ORION_SCHEDULER_ID", id);
    env.put("ORION_DB_URL", db.url());
    env.put("ORION_DB_USER", db.user());
    env.put("ORION_DB_PASSWORD", db.password());
    env.put("ORION_DB_POOL_SIZE", "4");
    // A free port for each instance's metrics listener: tests run several side by side.
    env.put("ORION_METRICS_PORT", "0");
    env.putAll(extra);
    return env;
  }

  public static SchedulerConfig config(String id, DbConfig db, Map<String, String> extra) {
    return SchedulerConfig.from(new Env(env(id, db, extra)));
  }
}

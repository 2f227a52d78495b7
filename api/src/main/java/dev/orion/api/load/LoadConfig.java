package dev.orion.api.load;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;

/**
 * How heartbeats become a load class: {@code ORION_LOAD_TIME_CONSTANT} of the exponential average
 * (15 s: a step shows 63 % after 15 s, 95 % after 45 s) and {@code ORION_LOAD_HYSTERESIS}, the
 * points past a border (33 %, 66 %) before the class changes (3).
 */
public record LoadConfig(Duration timeConstant, double hysteresis) {
  public static LoadConfig defaults() {
    return new LoadConfig(Duration.ofSeconds(15), 3);
  }

  public static LoadConfig from(Env env) {
    Duration tau = env.duration("ORION_LOAD_TIME_CONSTANT", Duration.ofSeconds(15));
    if (tau.isZero() || tau.isNegative()) {
      throw new ConfigException("ORION_LOAD_TIME_CONSTANT", "must be positive");
    }
    int h = env.integer("ORION_LOAD_HYSTERESIS", 3, 0, 16);
    return new LoadConfig(tau, h);
  }
}

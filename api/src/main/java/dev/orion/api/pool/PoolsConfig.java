package dev.orion.api.pool;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Pool settings of the stack: pools that never sleep ({@code ORION_PROTECTED_POOLS},
 * comma-separated) and the driver of pools without their own ({@code ORION_POOL_DRIVER}:
 * {@code none} by default, which only cordons; {@code ./orion up} uses {@code sandbox}).
 */
public record PoolsConfig(Set<String> protectedPools, String defaultDriver) {
  public PoolsConfig {
    protectedPools = Set.copyOf(protectedPools);
  }

  public static PoolsConfig from(Env env) {
    Set<String> pools = Arrays.stream(env.string("ORION_PROTECTED_POOLS", "").split(","))
        .map(String::strip).filter(p -> !p.isEmpty()).collect(Collectors.toUnmodifiableSet());
    for (String p : pools) {
      if (!PoolName.valid(p)) {
        throw new ConfigException("ORION_PROTECTED_POOLS", "'" + p + "' is not a pool name");
      }
    }
    String driver = env.string("ORION_POOL_DRIVER", "none");
    if (!PoolRequests.DRIVERS.contains(driver)) {
      throw new ConfigException("ORION_POOL_DRIVER", "must be one of " + String.join(", ", PoolRequests.DRIVERS.stream().sorted().toList()));
    }
    return new PoolsConfig(pools, driver);
  }
}

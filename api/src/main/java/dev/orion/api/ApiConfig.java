package dev.orion.api;

import dev.orion.api.alert.AlertConfig;
import dev.orion.api.http.WebConfig;
import dev.orion.api.load.LoadConfig;
import dev.orion.api.pool.PoolsConfig;
import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.db.DbConfig;
import dev.orion.common.lease.RescueBound;
import dev.orion.common.metrics.MetricsConfig;
import dev.orion.common.ssh.SshConfig;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything the API process is configured with, read once from the environment.
 *
 * @param rescueAfter {@code ORION_RESCUE_AFTER} ({@link RescueBound}), the schedulers' bound: reset
 *     leaves a lease provisioning for less than this to its rent
 */
public record ApiConfig(
    String httpHost,
    int httpPort,
    String jwtSecret,
    Duration jwtTtl,
    String agentToken,
    Optional<String> adminUsername,
    Optional<String> adminPassword,
    boolean migrate,
    int provisionParallelism,
    Duration nodeListMaxAge,
    PoolsConfig pools,
    LoadConfig load,
    DbConfig db,
    SshConfig ssh,
    Duration rescueAfter,
    MetricsConfig metrics,
    AlertConfig alerts,
    Limits limits,
    WebConfig web) {

  /** {@code ORION_METRICS_PORT} of a lone API; the autoscaler gives each replica its own. */
  public static final int DEFAULT_METRICS_PORT = 9470;

  public ApiConfig {
    RescueBound.check(rescueAfter, ssh);
  }

  public static ApiConfig from(Env env) {
    String secret = env.required("ORION_JWT_SECRET");
    if (secret.length() < 32) {
      throw new ConfigException("ORION_JWT_SECRET", "must be at least 32 characters");
    }
    String agentToken = env.required("ORION_AGENT_TOKEN");
    if (agentToken.length() < 16) {
      throw new ConfigException("ORION_AGENT_TOKEN", "must be at least 16 characters");
    }
    Optional<String> adminUser = env.optional("ORION_ADMIN_USERNAME");
    Optional<String> adminPass = env.optional("ORION_ADMIN_PASSWORD");
    if (adminUser.isPresent() != adminPass.isPresent()) {
      throw new ConfigException("ORION_ADMIN_PASSWORD", "and ORION_ADMIN_USERNAME must be set together");
    }
    return new ApiConfig(
        env.string("ORION_HTTP_HOST", "127.0.0.1"),
        env.integer("ORION_HTTP_PORT", 7070, 0, 65535),
        secret,
        env.duration("ORION_JWT_TTL", Duration.ofHours(12)),
        agentToken,
        adminUser,
        adminPass,
        env.bool("ORION_DB_MIGRATE", true),
        env.integer("ORION_PROVISION_PARALLELISM", 16, 1, 256),
        nodeListMaxAge(env),
        PoolsConfig.from(env),
        LoadConfig.from(env),
        DbConfig.from(env, 20),
        SshConfig.from(env),
        RescueBound.from(env, SshConfig.from(env)),
        MetricsConfig.from(env, DEFAULT_METRICS_PORT),
        AlertConfig.from(env),
        Limits.from(env),
        WebConfig.from(env));
  }

  /** How stale GET /api/nodes may be for changes made outside this process; 0 reads through. */
  private static Duration nodeListMaxAge(Env env) {
    return "0".equals(env.string("ORION_NODE_LIST_MAX_AGE", "")) ? Duration.ZERO
        : env.duration("ORION_NODE_LIST_MAX_AGE", Duration.ofMillis(500));
  }

  /** For the start-up log line: secrets shown only as set or not. */
  @Override
  public String toString() {
    return "ApiConfig[http=" + httpHost + ":" + httpPort + ", jwtSecret=***, jwtTtl=" + jwtTtl
        + ", agentToken=***, admin=" + adminUsername.orElse("(none)") + ", migrate=" + migrate
        + ", provisionParallelism=" + provisionParallelism + ", nodeListMaxAge=" + nodeListMaxAge
        + ", pools=" + pools + ", load=" + load + ", db=" + db + ", ssh=" + ssh + ", rescueAfter=" + rescueAfter + ", metrics=" + metrics + ", alerts=" + alerts
        + ", limits=" + limits + ", web=" + web + "]";
  }
}

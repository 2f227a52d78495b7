package dev.orion.scheduler.pool;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How the schedulers reconcile pools.
 *
 * @param interval how often each pool is checked ({@code ORION_POOL_INTERVAL}, 5 s; at most 8 s, so with
 *     the quarter-interval polling no pool waits longer than 10 s)
 * @param batch pools claimed per round ({@code ORION_POOL_BATCH})
 * @param protectedPools pools that never sleep ({@code ORION_PROTECTED_POOLS}, as the API reads it)
 * @param defaultDriver the driver of pools without one of their own ({@code ORION_POOL_DRIVER}, as the API)
 * @param suspendCommand the {@code command} driver's stop ({@code ORION_POOL_SUSPEND_COMMAND})
 * @param resumeCommand the {@code command} driver's start ({@code ORION_POOL_RESUME_COMMAND})
 * @param commandTimeout how long one driver step may take ({@code ORION_POOL_COMMAND_TIMEOUT}, 60 s)
 * @param restoreWait how long a resumed worker has to answer SSH with its pinned host key before
 *     the restore counts as failed and is retried ({@code ORION_POOL_RESTORE_WAIT}, 30 s)
 * @param webhookAttempts deliveries tried per hook call, with doubling back-off from 1 s
 * @param argocd ArgoCD's address and account ({@code ORION_ARGOCD_URL}, {@code _USERNAME}, {@code _PASSWORD})
 * @param sandboxLauncher the sandbox driver's {@code launch_workers.sh} ({@code ORION_SANDBOX_LAUNCHER})
 * @param sandboxDir where it records its workers ({@code ORION_SANDBOX_WORKERS_DIR}; the launcher's default if unset)
 */
public record PoolConfig(Duration interval, int batch, Set<String> protectedPools, String defaultDriver,
    Optional<String> suspendCommand, Optional<String> resumeCommand, Duration commandTimeout, Duration restoreWait,
    int webhookAttempts, Optional<ArgoCdAccount> argocd, Optional<java.nio.file.Path> sandboxLauncher,
    Optional<java.nio.file.Path> sandboxDir) {

  public static final Set<String> DRIVERS = Set.of("sandbox", "docker", "command", "none");
  /** Rounds poll for due pools every quarter interval, so a pool waits at most 1.25 intervals: 10 s. */
  public static final Duration MAX_INTERVAL = Duration.ofSeconds(8);

  public record ArgoCdAccount(URI url, String username, String password) {
    @Override
    public String toString() {
      return url + " as " + username;
    }
  }

  public PoolConfig {
    protectedPools = Set.copyOf(protectedPools);
    if (interval.compareTo(MAX_INTERVAL) > 0) {
      throw new ConfigException("ORION_POOL_INTERVAL", "must be at most " + MAX_INTERVAL.toSeconds()
          + "s: every pool must be checked at least every 10 s, got " + interval);
    }
    if (!DRIVERS.contains(defaultDriver)) {
      throw new ConfigException("ORION_POOL_DRIVER", "must be one of " + DRIVERS.stream().sorted().toList()
          + ", got '" + defaultDriver + "'");
    }
    if (defaultDriver.equals("sandbox") && sandboxLauncher.isEmpty()) {
      throw new ConfigException("ORION_SANDBOX_LAUNCHER", "is required when ORION_POOL_DRIVER=sandbox"
          + " (the path of launch_workers.sh)");
    }
    if (defaultDriver.equals("command") && (suspendCommand.isEmpty() || resumeCommand.isEmpty())) {
      throw new ConfigException("ORION_POOL_SUSPEND_COMMAND", "and ORION_POOL_RESUME_COMMAND are required when"
          + " ORION_POOL_DRIVER=command");
    }
  }

  public static PoolConfig from(Env env) {
    Set<String> protectedPools = Arrays.stream(env.string("ORION_PROTECTED_POOLS", "").split(","))
        .map(String::strip).filter(p -> !p.isEmpty()).collect(Collectors.toUnmodifiableSet());
    Optional<ArgoCdAccount> argocd = env.optional("ORION_ARGOCD_URL").map(url -> {
      try {
        return new ArgoCdAccount(URI.create(url), env.required("ORION_ARGOCD_USERNAME"),
            env.required("ORION_ARGOCD_PASSWORD"));
      } catch (IllegalArgumentException e) {
        throw new ConfigException("ORION_ARGOCD_URL", "is not a URL: " + e.getMessage());
      }
    });
    return new PoolConfig(
        env.duration("ORION_POOL_INTERVAL", Duration.ofSeconds(5)),
        env.integer("ORION_POOL_BATCH", 200, 1, 5000),
        protectedPools,
        env.string("ORION_POOL_DRIVER", "none"),
        env.optional("ORION_POOL_SUSPEND_COMMAND"),
        env.optional("ORION_POOL_RESUME_COMMAND"),
        env.duration("ORION_POOL_COMMAND_TIMEOUT", Duration.ofSeconds(60)),
        env.duration("ORION_POOL_RESTORE_WAIT", Duration.ofSeconds(30)),
        env.integer("ORION_POOL_WEBHOOK_ATTEMPTS", 3, 1, 10),
        argocd,
        env.optional("ORION_SANDBOX_LAUNCHER").map(java.nio.file.Path::of),
        env.optional("ORION_SANDBOX_WORKERS_DIR").map(java.nio.file.Path::of));
  }

  @Override
  public String toString() {
    return "interval=" + interval + "/" + batch + " protected=" + protectedPools + " driver=" + defaultDriver
        + " restoreWait=" + restoreWait + " argocd=" + argocd.map(ArgoCdAccount::toString).orElse("none");
  }
}

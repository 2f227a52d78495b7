package dev.orion.scheduler.pool;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The drivers a scheduler can use, by the name pools and restore records store. A driver that
 * needs something the scheduler was not given (the command driver's commands, a Docker engine)
 * fails its steps with a message saying what is missing, so the pool shows why it cannot sleep.
 */
public final class Drivers implements AutoCloseable {
  private final Function<String, PoolDriver> factory;
  private final Map<String, PoolDriver> made = new ConcurrentHashMap<>();

  /** @param factory makes a driver by name, or throws IllegalStateException saying what is missing */
  public Drivers(Function<String, PoolDriver> factory) {
    this.factory = factory;
  }

  /** The usual drivers from the pool configuration. */
  public static Drivers from(PoolConfig config) {
    return new Drivers(name -> switch (name) {
      case "none" -> PoolDriver.NONE;
      case "command" -> new CommandDriver(
          config.suspendCommand().orElseThrow(() -> new IllegalStateException("ORION_POOL_SUSPEND_COMMAND is not set")),
          config.resumeCommand().orElseThrow(() -> new IllegalStateException("ORION_POOL_RESUME_COMMAND is not set")),
          config.commandTimeout());
      case "docker" -> DockerPoolDriver.connect(config.commandTimeout());
      case "sandbox" -> new SandboxDriver(config.sandboxLauncher().orElseThrow(
          () -> new IllegalStateException("ORION_SANDBOX_LAUNCHER is not set")), config.sandboxDir(),
          config.commandTimeout());
      default -> throw new IllegalStateException("unknown driver '" + name + "'");
    });
  }

  public PoolDriver get(String name) throws PoolDriver.DriverException {
    try {
      return made.computeIfAbsent(name, factory);
    } catch (RuntimeException e) {
      throw new PoolDriver.DriverException("driver " + name + " unavailable: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    made.values().forEach(d -> {
      if (d instanceof AutoCloseable c) {
        try {
          c.close();
        } catch (Exception ignored) {
          // shutting down
        }
      }
    });
  }
}

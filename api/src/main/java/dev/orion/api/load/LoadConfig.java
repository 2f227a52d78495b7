package dev.orion.api.load;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import java.time.Duration;
import java.util.Locale;

/**
 * How heartbeats become a load class and what the API does with it.
 *
 * <ul>
 *   <li>{@code ORION_LOAD_TIME_CONSTANT}: of the exponential average (15 s: a step shows 63 % after
 *       15 s, 95 % after 45 s)
 *   <li>{@code ORION_LOAD_HYSTERESIS}: points past a border (33 %, 66 %) before the class changes (3)
 *   <li>{@code ORION_PLACEMENT}: how a rent picks among free workers ({@code load}, the default:
 *       low before moderate before high; {@code spread}: least CPU first; {@code pack}: lowest id
 *       first, as before classes existed); in every mode a high worker only when nothing else is free
 *   <li>{@code ORION_LOAD_HIGH_EVENT_AFTER}: a leased worker high for this long gets an event its
 *       lessee sees (5 min)
 *   <li>{@code ORION_LOAD_FLUSH_INTERVAL}: how long heartbeats' load figures wait to be folded in
 *       together, in one round trip for all (200 ms; 0 folds each at once)
 * </ul>
 */
public record LoadConfig(Duration timeConstant, double hysteresis, Placement placement, Duration highEventAfter,
    Duration flushInterval) {

  /** How a rent orders the free workers it may lock. */
  public enum Placement {
    LOAD, SPREAD, PACK;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public static final Duration DEFAULT_HIGH_EVENT_AFTER = Duration.ofMinutes(5);
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMillis(200);

  public static LoadConfig defaults() {
    return new LoadConfig(Duration.ofSeconds(15), 3, Placement.LOAD, DEFAULT_HIGH_EVENT_AFTER,
        DEFAULT_FLUSH_INTERVAL);
  }

  public LoadConfig withPlacement(Placement p) {
    return new LoadConfig(timeConstant, hysteresis, p, highEventAfter, flushInterval);
  }

  public LoadConfig withHighEventAfter(Duration d) {
    return new LoadConfig(timeConstant, hysteresis, placement, d, flushInterval);
  }

  public LoadConfig withFlushInterval(Duration d) {
    return new LoadConfig(timeConstant, hysteresis, placement, highEventAfter, d);
  }

  public static LoadConfig from(Env env) {
    Duration tau = env.duration("ORION_LOAD_TIME_CONSTANT", Duration.ofSeconds(15));
    if (tau.isZero() || tau.isNegative()) {
      throw new ConfigException("ORION_LOAD_TIME_CONSTANT", "must be positive");
    }
    int h = env.integer("ORION_LOAD_HYSTERESIS", 3, 0, 16);
    String mode = env.string("ORION_PLACEMENT", "load").trim().toUpperCase(Locale.ROOT);
    Placement placement;
    try {
      placement = Placement.valueOf(mode);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("ORION_PLACEMENT", "must be load, spread or pack");
    }
    Duration highAfter = env.duration("ORION_LOAD_HIGH_EVENT_AFTER", DEFAULT_HIGH_EVENT_AFTER);
    if (highAfter.isZero() || highAfter.isNegative()) {
      throw new ConfigException("ORION_LOAD_HIGH_EVENT_AFTER", "must be positive");
    }
    Duration flush = "0".equals(env.string("ORION_LOAD_FLUSH_INTERVAL", "").trim()) ? Duration.ZERO
        : env.duration("ORION_LOAD_FLUSH_INTERVAL", DEFAULT_FLUSH_INTERVAL);
    if (flush.isNegative() || flush.compareTo(Duration.ofSeconds(10)) > 0) {
      throw new ConfigException("ORION_LOAD_FLUSH_INTERVAL", "must be between 0 and 10 s");
    }
    return new LoadConfig(tau, h, placement, highAfter, flush);
  }
}

package dev.orion.api.alert;

import dev.orion.common.config.ConfigException;
import dev.orion.common.config.Env;
import dev.orion.common.load.LoadClass;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The Alertmanager webhook's settings.
 *
 * @param token {@code ORION_ALERT_TOKEN}, the bearer token Alertmanager sends; without it the
 *     webhook refuses every delivery
 * @param classByAlert {@code ORION_ALERT_CLASS_MAP}, {@code alertname=class,...}: the class an
 *     alert without a {@code cpu_class} label applies
 * @param maxBodyBytes {@code ORION_ALERT_MAX_BODY} (bytes, 4 MiB): one delivery holds every alert
 *     of a group, far more than the 64 KiB other requests may send
 */
public record AlertConfig(Optional<String> token, Map<String, LoadClass> classByAlert, int maxBodyBytes) {
  public static final String DEFAULT_CLASS_MAP = "OrionNodeCpuHigh=high,OrionNodeCpuModerate=moderate";

  public AlertConfig {
    classByAlert = Map.copyOf(classByAlert);
  }

  public static AlertConfig from(Env env) {
    Optional<String> token = env.optional("ORION_ALERT_TOKEN");
    if (token.isPresent() && token.get().length() < 16) {
      throw new ConfigException("ORION_ALERT_TOKEN", "must be at least 16 characters");
    }
    return new AlertConfig(token, classMap(env.string("ORION_ALERT_CLASS_MAP", DEFAULT_CLASS_MAP)),
        env.integer("ORION_ALERT_MAX_BODY", 4 * 1024 * 1024, 64 * 1024, 64 * 1024 * 1024));
  }

  public static Map<String, LoadClass> classMap(String raw) {
    Map<String, LoadClass> map = new LinkedHashMap<>();
    for (String entry : raw.split(",")) {
      if (entry.isBlank()) {
        continue;
      }
      int eq = entry.indexOf('=');
      LoadClass c = eq < 1 ? null : wire(entry.substring(eq + 1).trim());
      if (c == null) {
        throw new ConfigException("ORION_ALERT_CLASS_MAP",
            "must list alertname=low|moderate|high pairs, got '" + entry.trim() + "'");
      }
      map.put(entry.substring(0, eq).trim(), c);
    }
    return map;
  }

  /** The class named {@code low}, {@code moderate} or {@code high}, else null. */
  static LoadClass wire(String s) {
    for (LoadClass c : LoadClass.values()) {
      if (c.wire().equals(s.toLowerCase(Locale.ROOT))) {
        return c;
      }
    }
    return null;
  }

  @Override
  public String toString() {
    return "AlertConfig[token=" + (token.isPresent() ? "***" : "(none: webhook off)")
        + ", classByAlert=" + classByAlert + ", maxBodyBytes=" + maxBodyBytes + "]";
  }
}

package dev.orion.api.alert;

import dev.orion.common.load.LoadClass;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one webhook delivery changes, decided without the database: which firing alerts set a
 * node's class or labels, which resolved alerts remove theirs, and which alerts name no known
 * node or carry nothing to apply.
 *
 * <p>A node is named by the {@code node} label (its hostname); only an alert without one is
 * matched by {@code instance} against {@code ip:ssh_port}. The class comes from a {@code cpu_class}
 * label, else from the alert name through the configured map.
 */
public record AlertPlan(List<Upsert> upserts, List<Resolve> resolves, int applied, int ignored) {

  /** A firing alert's effect on its node, stored under its fingerprint. */
  public record Upsert(String fingerprint, long nodeId, String alertname, String loadClass,
      Map<String, String> orionLabels, Instant startsAt) {}

  /** A resolved alert: its row goes, unless a newer firing of the same alert replaced it. */
  public record Resolve(String fingerprint, Instant startsAt) {}

  static final String ORION_PREFIX = "orion.io/";
  /** Prometheus label names cannot hold '.' or '/': orion_io_x is the spelling of orion.io/x. */
  static final String ORION_PROMETHEUS_PREFIX = "orion_io_";

  public static AlertPlan of(AlertRequests.Payload payload, Map<String, LoadClass> classByAlert,
      Map<String, Long> nodeByHostname, Map<String, Long> nodeByInstance) {
    List<Upsert> upserts = new ArrayList<>();
    List<Resolve> resolves = new ArrayList<>();
    int applied = 0;
    int ignored = 0;
    for (AlertRequests.Alert a : payload.alerts()) {
      Long node = node(a.labels(), nodeByHostname, nodeByInstance);
      Instant startsAt = a.startsAt().truncatedTo(ChronoUnit.MICROS);
      if (!a.firing()) {
        // Removing by fingerprint is harmless even when the node is gone or unknown.
        resolves.add(new Resolve(a.fingerprint(), startsAt));
        if (node != null) {
          applied++;
        } else {
          ignored++;
        }
        continue;
      }
      LoadClass cls = loadClass(a.labels(), classByAlert);
      Map<String, String> labels = orionLabels(a.labels());
      if (node == null || (cls == null && labels.isEmpty())) {
        ignored++;
        continue;
      }
      upserts.add(new Upsert(a.fingerprint(), node, a.labels().getOrDefault("alertname", ""),
          cls == null ? null : cls.wire(), labels, startsAt));
      applied++;
    }
    return new AlertPlan(upserts, resolves, applied, ignored);
  }

  static Long node(Map<String, String> labels, Map<String, Long> byHostname, Map<String, Long> byInstance) {
    String hostname = labels.get("node");
    if (hostname != null) {
      return byHostname.get(hostname);
    }
    String instance = labels.get("instance");
    return instance == null ? null : byInstance.get(instance);
  }

  static LoadClass loadClass(Map<String, String> labels, Map<String, LoadClass> classByAlert) {
    String named = labels.get("cpu_class");
    if (named != null) {
      return AlertConfig.wire(named);
    }
    return classByAlert.get(labels.getOrDefault("alertname", ""));
  }

  static Map<String, String> orionLabels(Map<String, String> labels) {
    Map<String, String> out = new TreeMap<>();
    labels.forEach((k, v) -> {
      if (k.startsWith(ORION_PREFIX) && k.length() > ORION_PREFIX.length()) {
        out.put(k, v);
      } else if (k.startsWith(ORION_PROMETHEUS_PREFIX) && k.length() > ORION_PROMETHEUS_PREFIX.length()) {
        out.put(ORION_PREFIX + k.substring(ORION_PROMETHEUS_PREFIX.length()), v);
      }
    });
    return out;
  }
}

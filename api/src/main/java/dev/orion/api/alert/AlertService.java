package dev.orion.api.alert;

import dev.orion.api.http.Json;
import dev.orion.common.load.LoadClass;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies Alertmanager's deliveries: firing alerts about a node give it a load class (and any
 * orion.io/* labels) for as long as they fire; resolved alerts take them away. A repeated
 * delivery rewrites the same rows, so Alertmanager's retries are harmless.
 */
public final class AlertService {
  private static final Logger LOG = LoggerFactory.getLogger(AlertService.class);
  private final Jdbi jdbi;
  private final Map<String, LoadClass> classByAlert;
  private final Clock clock;

  public AlertService(Jdbi jdbi, Map<String, LoadClass> classByAlert, Clock clock) {
    this.jdbi = jdbi;
    this.classByAlert = Map.copyOf(classByAlert);
    this.clock = clock;
  }

  public AlertRequests.Outcome apply(AlertRequests.Payload payload) {
    payload.validate();
    Set<String> hostnames = new TreeSet<>();
    Set<String> instances = new TreeSet<>();
    for (AlertRequests.Alert a : payload.alerts()) {
      if (a.labels().containsKey("node")) {
        hostnames.add(a.labels().get("node"));
      } else if (a.labels().containsKey("instance")) {
        instances.add(a.labels().get("instance"));
      }
    }
    Map<String, Long> byHostname = new HashMap<>();
    Map<String, Long> byInstance = new HashMap<>();
    jdbi.useExtension(AlertDao.class, dao -> {
      if (!hostnames.isEmpty()) {
        dao.byHostname(hostnames).forEach(n -> byHostname.put(n.key(), n.id()));
      }
      if (!instances.isEmpty()) {
        dao.byInstance(instances).forEach(n -> byInstance.put(n.key(), n.id()));
      }
    });
    AlertPlan plan = AlertPlan.of(payload, classByAlert, byHostname, byInstance);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    List<AlertDao.Row> rows = plan.upserts().stream().map(u -> new AlertDao.Row(u.fingerprint(),
        u.nodeId(), u.alertname(), u.loadClass(),
        new String(Json.bytes(u.orionLabels()), StandardCharsets.UTF_8), u.startsAt())).toList();
    if (!rows.isEmpty() || !plan.resolves().isEmpty()) {
      jdbi.useTransaction(h -> {
        AlertDao dao = h.attach(AlertDao.class);
        if (!rows.isEmpty()) {
          dao.upsert(rows, payload.groupKey(), now);
        }
        if (!plan.resolves().isEmpty()) {
          dao.resolve(plan.resolves());
        }
      });
    }
    LOG.debug("alert delivery {}: {} applied, {} ignored", payload.groupKey(), plan.applied(), plan.ignored());
    return new AlertRequests.Outcome(plan.applied(), plan.ignored());
  }

  /** The class firing alerts give a node now (the highest if several fire), if any. */
  public Optional<LoadClass> alertClass(long nodeId) {
    return jdbi.withExtension(AlertDao.class, dao -> dao.firingClasses(nodeId)).stream()
        .map(AlertConfig::wire)
        .max(Comparator.naturalOrder());
  }
}

package dev.orion.api.load;

import dev.orion.common.load.LoadClass;
import dev.orion.common.load.Smoothing;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each heartbeat's CPU and memory figures into the node's smoothed load and reclassifies
 * it with hysteresis. The first heartbeat of a node starts the average at its own value.
 */
public final class LoadService {
  private static final Logger log = LoggerFactory.getLogger(LoadService.class);
  public static final Set<String> SOURCES = Set.of("cgroup-v2", "cgroup-v1", "proc");

  /** A class change, for the node's event log. */
  public record ClassChange(long nodeId, LoadClass from, LoadClass to, double cpuPercent) {}

  private final Jdbi jdbi;
  private final LoadConfig config;

  public LoadService(Jdbi jdbi, LoadConfig config) {
    this.jdbi = jdbi;
    this.config = config;
  }

  /**
   * Folds one heartbeat into the node's load, in a transaction of its own at READ COMMITTED: the
   * first heartbeat of a node finds no row, and a locking read of a missing row at REPEATABLE
   * READ takes a gap lock, so a fleet's first heartbeats (thousands of nodes at once after a
   * restart) deadlock each other. At READ COMMITTED a missing row locks nothing; two first
   * heartbeats of one node both insert, and the upsert keeps the later one.
   */
  public Optional<ClassChange> record(long nodeId, double cpu, double mem, String source, Instant now) {
    return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED,
        h -> record(h, nodeId, cpu, mem, source, now));
  }

  private Optional<ClassChange> record(Handle h, long nodeId, double cpu, double mem, String source, Instant now) {
    LoadDao dao = h.attach(LoadDao.class);
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    String src = source != null && SOURCES.contains(source) ? source : "unknown";
    Optional<LoadDao.Row> before = dao.lock(nodeId);
    double cpuAvg = before.map(b -> Smoothing.next(b.cpuPercent(), b.sampledAt(), cpu, at, config.timeConstant()))
        .orElse(cpu);
    double memAvg = before.map(b -> Smoothing.next(b.memPercent(), b.sampledAt(), mem, at, config.timeConstant()))
        .orElse(mem);
    LoadClass was = before.map(b -> LoadClass.valueOf(b.loadClass().toUpperCase(Locale.ROOT))).orElse(null);
    LoadClass next = LoadClass.next(was, cpuAvg, config.hysteresis());
    Instant since = was == next ? before.get().classSince() : at;
    dao.put(new LoadDao.Row(nodeId, round(cpuAvg), round(memAvg), next.wire(), since, at, src));
    if (was != null && was != next) {
      log.info("node {} load class {} -> {} (cpu {}%)", nodeId, was.wire(), next.wire(), round(cpuAvg));
      return Optional.of(new ClassChange(nodeId, was, next, round(cpuAvg)));
    }
    return Optional.empty();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}

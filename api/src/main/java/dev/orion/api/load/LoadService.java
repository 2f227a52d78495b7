package dev.orion.api.load;

import dev.orion.common.load.LoadClass;
import dev.orion.common.load.Smoothing;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Jdbi;
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

  /** Compare-and-set attempts before a heartbeat gives way to others of the same node. */
  private static final int ATTEMPTS = 3;

  private final Jdbi jdbi;
  private final LoadConfig config;

  public LoadService(Jdbi jdbi, LoadConfig config) {
    this.jdbi = jdbi;
    this.config = config;
  }

  /**
   * Folds one heartbeat into the node's load. Lock-free, each statement on its own: read the row,
   * compute, then write it only if nobody wrote it meanwhile (compare-and-set on
   * {@code sampled_at}; a missing row is inserted, and a concurrent first insert wins). A heartbeat
   * that loses every attempt to others of the same node is dropped: theirs are folded in. No row
   * lock is ever held across a round trip, and no locking read of a missing row takes a gap lock,
   * which made a fleet's first heartbeats (thousands of nodes after a restart) deadlock each other.
   */
  public Optional<ClassChange> record(long nodeId, double cpu, double mem, String source, Instant now) {
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    String src = source != null && SOURCES.contains(source) ? source : "unknown";
    return jdbi.withHandle(h -> {
      LoadDao dao = h.attach(LoadDao.class);
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        Optional<LoadDao.Row> before = dao.get(nodeId);
        LoadDao.Row after = fold(before, nodeId, cpu, mem, src, at, config);
        int written = before.isEmpty() ? dao.insertFirst(after) : dao.replace(after, before.get().sampledAt());
        if (written == 1) {
          return change(before, after);
        }
      }
      return Optional.<ClassChange>empty();
    });
  }

  /** The node's load after one more heartbeat: pure, the decision part of {@link #record}. */
  static LoadDao.Row fold(Optional<LoadDao.Row> before, long nodeId, double cpu, double mem, String source,
      Instant at, LoadConfig config) {
    if (before.isEmpty()) {
      return new LoadDao.Row(nodeId, round(cpu), round(mem), LoadClass.of(cpu).wire(), at, at, source);
    }
    LoadDao.Row b = before.get();
    double cpuAvg = Smoothing.next(b.cpuPercent(), b.sampledAt(), cpu, at, config.timeConstant());
    double memAvg = Smoothing.next(b.memPercent(), b.sampledAt(), mem, at, config.timeConstant());
    LoadClass was = LoadClass.valueOf(b.loadClass().toUpperCase(Locale.ROOT));
    LoadClass next = LoadClass.next(was, cpuAvg, config.hysteresis());
    Instant sampled = at.isAfter(b.sampledAt()) ? at : b.sampledAt(); // replicas' clocks differ a little
    return new LoadDao.Row(nodeId, round(cpuAvg), round(memAvg), next.wire(), was == next ? b.classSince() : at,
        sampled, source);
  }

  private static Optional<ClassChange> change(Optional<LoadDao.Row> before, LoadDao.Row after) {
    if (before.isEmpty() || before.get().loadClass().equals(after.loadClass())) {
      return Optional.empty();
    }
    LoadClass from = LoadClass.valueOf(before.get().loadClass().toUpperCase(Locale.ROOT));
    LoadClass to = LoadClass.valueOf(after.loadClass().toUpperCase(Locale.ROOT));
    log.info("node {} load class {} -> {} (cpu {}%)", after.nodeId(), from.wire(), to.wire(), after.cpuPercent());
    return Optional.of(new ClassChange(after.nodeId(), from, to, after.cpuPercent()));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}

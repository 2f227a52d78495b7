package dev.orion.api.load;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.load.LoadClass;
import dev.orion.common.load.Smoothing;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds each heartbeat's CPU and memory figures into the node's smoothed load and reclassifies
 * it with hysteresis. The first heartbeat of a node starts the average at its own value. A class
 * change, and a leased node staying high for {@code ORION_LOAD_HIGH_EVENT_AFTER}, are node events
 * that also name the node's live lease, so its lessee sees them.
 */
public final class LoadService {
  private static final Logger log = LoggerFactory.getLogger(LoadService.class);
  public static final Set<String> SOURCES = Set.of("cgroup-v2", "cgroup-v1", "proc");
  static final String ACTOR = "api";

  /** A class change, for the node's event log. */
  public record ClassChange(long nodeId, LoadClass from, LoadClass to, double cpuPercent) {}

  /**
   * What one fold tells the event log: the class changed, or the node has now been high for the
   * configured time (said once per stretch: by the one fold that crosses the mark).
   */
  public record Notice(long nodeId, LoadClass from, LoadClass to, double cpuPercent, boolean highTooLong) {}

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
   * A fold with something to tell writes its events in the same transaction as the row, so the
   * compare-and-set that wins is the one that tells.
   */
  public Optional<ClassChange> record(long nodeId, double cpu, double mem, String source, Instant now) {
    Instant at = now.truncatedTo(ChronoUnit.MICROS);
    String src = source(source);
    return jdbi.withHandle(h -> {
      LoadDao dao = h.attach(LoadDao.class);
      for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
        Optional<LoadDao.Row> before = dao.get(nodeId);
        LoadDao.Row after = fold(before, nodeId, cpu, mem, src, at, config);
        List<Notice> notices = notices(before, after, config.highEventAfter());
        boolean written = notices.isEmpty() ? write(dao, before, after)
            : h.inTransaction(t -> write(t.attach(LoadDao.class), before, after) && tell(t, notices, at));
        if (written) {
          return change(before, after);
        }
      }
      return Optional.<ClassChange>empty();
    });
  }

  static String source(String source) {
    return source != null && SOURCES.contains(source) ? source : "unknown";
  }

  private static boolean write(LoadDao dao, Optional<LoadDao.Row> before, LoadDao.Row after) {
    return (before.isEmpty() ? dao.insertFirst(after) : dao.replace(after, before.get().sampledAt())) == 1;
  }

  /** Appends the notices' events, each naming the node's live lease if it has one; always true. */
  static boolean tell(Handle h, List<Notice> notices, Instant at) {
    LoadDao dao = h.attach(LoadDao.class);
    List<Event> events = new ArrayList<>(notices.size());
    for (Notice n : notices) {
      Long lease = dao.liveLease(n.nodeId()).orElse(null);
      if (n.highTooLong() && lease == null) {
        continue; // only a lessee is told; the node's class change said the rest
      }
      events.add(Event.load(n.nodeId(), lease, at, ACTOR, n.from().wire(), n.to().wire(), reason(n)));
    }
    EventLog.append(h, events);
    return true;
  }

  static String reason(Notice n) {
    String cpu = String.format(Locale.ROOT, "%.1f", n.cpuPercent());
    return n.highTooLong()
        ? "load high for longer than the configured time (cpu " + cpu + " %); expect slower work on this worker"
        : "load class " + n.from().wire() + " -> " + n.to().wire() + " (cpu " + cpu + " %)";
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
    LoadClass was = classOf(b);
    LoadClass next = LoadClass.next(was, cpuAvg, config.hysteresis());
    Instant sampled = at.isAfter(b.sampledAt()) ? at : b.sampledAt(); // replicas' clocks differ a little
    return new LoadDao.Row(nodeId, round(cpuAvg), round(memAvg), next.wire(), was == next ? b.classSince() : at,
        sampled, source);
  }

  /**
   * What a fold from {@code before} to {@code after} tells: a class change, or the fold that
   * first finds the node high for {@code highAfter} (pure). Each fold's compare-and-set wins once,
   * so each stretch of high load is told once, whichever replica folds the crossing heartbeat.
   */
  static List<Notice> notices(Optional<LoadDao.Row> before, LoadDao.Row after, Duration highAfter) {
    if (before.isEmpty()) {
      return List.of();
    }
    LoadDao.Row b = before.get();
    LoadClass from = classOf(b);
    LoadClass to = classOf(after);
    if (from != to) {
      return List.of(new Notice(after.nodeId(), from, to, after.cpuPercent(), false));
    }
    if (to == LoadClass.HIGH) {
      Instant mark = after.classSince().plus(highAfter);
      if (b.sampledAt().isBefore(mark) && !after.sampledAt().isBefore(mark)) {
        return List.of(new Notice(after.nodeId(), to, to, after.cpuPercent(), true));
      }
    }
    return List.of();
  }

  static LoadClass classOf(LoadDao.Row r) {
    return LoadClass.valueOf(r.loadClass().toUpperCase(Locale.ROOT));
  }

  private static Optional<ClassChange> change(Optional<LoadDao.Row> before, LoadDao.Row after) {
    if (before.isEmpty() || before.get().loadClass().equals(after.loadClass())) {
      return Optional.empty();
    }
    LoadClass from = classOf(before.get());
    LoadClass to = classOf(after);
    log.info("node {} load class {} -> {} (cpu {}%)", after.nodeId(), from.wire(), to.wire(), after.cpuPercent());
    return Optional.of(new ClassChange(after.nodeId(), from, to, after.cpuPercent()));
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}

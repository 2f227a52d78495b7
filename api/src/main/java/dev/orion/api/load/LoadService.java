package dev.orion.api.load;

import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.common.load.LoadClass;
import dev.orion.common.load.Smoothing;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds heartbeats' CPU and memory figures into each node's smoothed load and reclassifies it
 * with hysteresis. The first heartbeat of a node starts the average at its own value. A class
 * change, and a leased node staying high for {@code ORION_LOAD_HIGH_EVENT_AFTER}, are node events
 * that also name the node's live lease, so its lessee sees them.
 *
 * <p>A heartbeat only queues its figures ({@link #submit}); every {@code ORION_LOAD_FLUSH_INTERVAL}
 * one thread folds all that arrived ({@link #flush}): one read of the nodes' rows, the pure fold of
 * each node's samples in order, one batch of compare-and-set writes, one commit. Folding each
 * heartbeat on its own cost a read and a write round trip per heartbeat and more than halved the
 * heartbeat rate one replica sustains (docs/benchmarks.md).
 */
public final class LoadService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LoadService.class);
  public static final Set<String> SOURCES = Set.of("cgroup-v2", "cgroup-v1", "proc");
  static final String ACTOR = "api";
  /** Samples waiting beyond this (the database is away) are dropped: load is refreshed by the next heartbeats. */
  static final int MAX_QUEUED = 200_000;
  /** Nodes per flush round; a larger backlog takes several rounds. */
  static final int MAX_BATCH = 2_000;

  /** A class change, for the node's event log. */
  public record ClassChange(long nodeId, LoadClass from, LoadClass to, double cpuPercent) {}

  /**
   * What one fold tells the event log: the class changed, or the node has now been high for the
   * configured time (said once per stretch: by the one fold that crosses the mark).
   */
  public record Notice(long nodeId, LoadClass from, LoadClass to, double cpuPercent, boolean highTooLong, Instant at) {}

  /** One heartbeat's figures, queued until the next flush. */
  record Sample(long nodeId, double cpu, double mem, String source, Instant at) {}

  /** Compare-and-set attempts before a heartbeat gives way to others of the same node. */
  private static final int ATTEMPTS = 3;

  private final Jdbi jdbi;
  private final LoadConfig config;
  private final ConcurrentLinkedQueue<Sample> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService flusher;

  /** For callers of {@link #record} (tests): nothing is queued, nothing runs in the background. */
  public LoadService(Jdbi jdbi, LoadConfig config) {
    this(jdbi, config, false);
  }

  /**
   * @param background flush every {@code config.flushInterval()} on a thread of its own; without
   *     it queued figures wait for a {@link #flush} call (tests)
   */
  public LoadService(Jdbi jdbi, LoadConfig config, boolean background) {
    this.jdbi = jdbi;
    this.config = config;
    if (background && !config.flushInterval().isZero()) {
      flusher = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "load-flush");
        t.setDaemon(true);
        return t;
      });
      long ms = config.flushInterval().toMillis();
      flusher.scheduleWithFixedDelay(this::flushQuietly, ms, ms, TimeUnit.MILLISECONDS);
    } else {
      flusher = null;
    }
  }

  /**
   * Takes one heartbeat's figures: queued for the next flush, or folded at once with
   * {@code ORION_LOAD_FLUSH_INTERVAL=0}.
   */
  public void submit(long nodeId, double cpu, double mem, String source, Instant now) {
    if (config.flushInterval().isZero()) {
      record(nodeId, cpu, mem, source, now);
      return;
    }
    if (queued.incrementAndGet() > MAX_QUEUED) {
      queued.decrementAndGet();
      if (dropped.incrementAndGet() % 10_000 == 1) {
        log.warn("load figures are not being folded in (database away?); {} heartbeats' figures dropped",
            dropped.get());
      }
      return;
    }
    queue.add(new Sample(nodeId, cpu, mem, source(source), now.truncatedTo(ChronoUnit.MICROS)));
  }

  /** Figures waiting for the next flush. */
  public int queued() {
    return queued.get();
  }

  private void flushQuietly() {
    try {
      while (flush() >= MAX_BATCH) {
        // a backlog: keep going
      }
    } catch (RuntimeException e) {
      log.warn("folding load figures failed; they are folded with the next flush: {}", e.toString());
    }
  }

  /**
   * Folds the queued samples of up to {@link #MAX_BATCH} nodes, each node's in arrival order,
   * and returns how many nodes it wrote or tried to. Lock-free across round trips like
   * {@link #record}: rows are read without locks, written with compare-and-set on
   * {@code sampled_at} in one transaction (READ COMMITTED: record locks only, taken in node order,
   * so two replicas flushing the same nodes wait, never deadlock), with the events of the folds
   * that won. A node another replica wrote meanwhile is not written: its samples go back to the
   * queue and are folded onto that newer row next time. A failed flush puts every sample back.
   */
  public synchronized int flush() {
    Map<Long, List<Sample>> byNode = new TreeMap<>();
    List<Sample> taken = new ArrayList<>();
    Sample s;
    while (byNode.size() < MAX_BATCH && (s = queue.poll()) != null) {
      queued.decrementAndGet();
      taken.add(s);
      byNode.computeIfAbsent(s.nodeId(), k -> new ArrayList<>()).add(s);
    }
    if (byNode.isEmpty()) {
      return 0;
    }
    Set<Long> lost;
    try {
      lost = write(byNode);
    } catch (RuntimeException e) {
      requeue(taken);
      throw e;
    }
    for (Long node : lost) {
      requeue(byNode.get(node));
    }
    return byNode.size();
  }

  private void requeue(List<Sample> samples) {
    queued.addAndGet(samples.size());
    queue.addAll(samples);
  }

  /** One flush's database work; returns the nodes whose compare-and-set lost. */
  private Set<Long> write(Map<Long, List<Sample>> byNode) {
    Map<Long, LoadDao.Row> rows = new HashMap<>();
    jdbi.useExtension(LoadDao.class, d -> d.getAll(byNode.keySet()).forEach(r -> rows.put(r.nodeId(), r)));
    Map<Long, Folded> folded = new TreeMap<>();
    byNode.forEach((node, samples) -> folded.put(node, foldAll(Optional.ofNullable(rows.get(node)), samples, config)));
    Set<Long> lost = jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
      LoadDao dao = h.attach(LoadDao.class);
      Set<Long> lostHere = new HashSet<>();
      List<LoadDao.Row> updates = new ArrayList<>();
      List<Instant> seen = new ArrayList<>();
      for (Folded f : folded.values()) {
        if (f.before().isEmpty()) {
          if (dao.insertFirst(f.after()) == 0) {
            lostHere.add(f.after().nodeId());
          }
        } else {
          updates.add(f.after());
          seen.add(f.before().get().sampledAt());
        }
      }
      if (!updates.isEmpty()) {
        int[] counts = dao.replaceAll(updates, seen);
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] != 1) {
            lostHere.add(updates.get(i).nodeId());
          }
        }
      }
      List<Notice> notices = new ArrayList<>();
      for (Folded f : folded.values()) {
        if (!lostHere.contains(f.after().nodeId())) {
          notices.addAll(f.notices());
        }
      }
      tell(h, notices);
      return lostHere;
    });
    for (Folded f : folded.values()) {
      if (!lost.contains(f.after().nodeId())) {
        f.notices().stream().filter(n -> !n.highTooLong()).forEach(n -> log.info("node {} load class {} -> {} (cpu {}%)",
            n.nodeId(), n.from().wire(), n.to().wire(), n.cpuPercent()));
      }
    }
    return lost;
  }

  /** A node's row before a flush, after all its samples, and what the folds on the way tell. */
  record Folded(Optional<LoadDao.Row> before, LoadDao.Row after, List<Notice> notices) {}

  /** Folds a node's samples in order onto its row (pure): what one flush writes for the node. */
  static Folded foldAll(Optional<LoadDao.Row> before, List<Sample> samples, LoadConfig config) {
    Optional<LoadDao.Row> current = before;
    List<Notice> notices = new ArrayList<>();
    // in time order: samples put back after a lost write come after newer ones in the queue
    for (Sample s : samples.stream().sorted(java.util.Comparator.comparing(Sample::at)).toList()) {
      LoadDao.Row next = fold(current, s.nodeId(), s.cpu(), s.mem(), s.source(), s.at(), config);
      notices.addAll(notices(current, next, config.highEventAfter()));
      current = Optional.of(next);
    }
    return new Folded(before, current.orElseThrow(), notices);
  }

  /**
   * Folds one heartbeat into the node's load at once, in the caller's thread. Lock-free, each
   * statement on its own: read the row, compute, then write it only if nobody wrote it meanwhile
   * (compare-and-set on {@code sampled_at}; a missing row is inserted, and a concurrent first
   * insert wins). A heartbeat that loses every attempt to others of the same node is dropped:
   * theirs are folded in. No row lock is ever held across a round trip, and no locking read of a
   * missing row takes a gap lock, which made a fleet's first heartbeats (thousands of nodes after a
   * restart) deadlock each other. A fold with something to tell writes its events in the same
   * transaction as the row, so the compare-and-set that wins is the one that tells.
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
            : h.inTransaction(t -> write(t.attach(LoadDao.class), before, after) && tell(t, notices));
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
  static boolean tell(Handle h, List<Notice> notices) {
    if (notices.isEmpty()) {
      return true;
    }
    LoadDao dao = h.attach(LoadDao.class);
    List<Event> events = new ArrayList<>(notices.size());
    for (Notice n : notices) {
      Long lease = dao.liveLease(n.nodeId()).orElse(null);
      if (n.highTooLong() && lease == null) {
        continue; // only a lessee is told; the class change said the rest
      }
      events.add(Event.load(n.nodeId(), lease, n.at(), ACTOR, n.from().wire(), n.to().wire(), reason(n)));
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

  /** The node's load after one more heartbeat: pure, the decision part of {@link #record} and {@link #flush}. */
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
      return List.of(new Notice(after.nodeId(), from, to, after.cpuPercent(), false, after.sampledAt()));
    }
    if (to == LoadClass.HIGH) {
      Instant mark = after.classSince().plus(highAfter);
      if (b.sampledAt().isBefore(mark) && !after.sampledAt().isBefore(mark)) {
        return List.of(new Notice(after.nodeId(), to, to, after.cpuPercent(), true, after.sampledAt()));
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

  /** Stops the background flush after folding what is queued. */
  @Override
  public void close() {
    if (flusher == null) {
      return;
    }
    flusher.shutdown();
    try {
      flusher.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushQuietly();
  }
}

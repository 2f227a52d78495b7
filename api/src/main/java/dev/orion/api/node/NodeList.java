package dev.orion.api.node;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jdbi.v3.core.Jdbi;

/**
 * The node list, read from the database at most once per {@code maxAge} and shared by every
 * request in that window: listing nodes is the hottest read, and a fleet's list changes far less
 * often than it is polled. Writes made through this API process call {@link #invalidate()}, so a
 * caller sees its own rent or release at once; changes made elsewhere (other replicas, the
 * schedulers) show within {@code maxAge}. A zero {@code maxAge} reads through every time.
 */
public final class NodeList {
  /** Reads the node list from the database, as entries ready to be shown. */
  public static NodeList of(Jdbi jdbi, Duration maxAge) {
    return new NodeList(() -> jdbi.withExtension(NodeDao.class, NodeDao::listWithLeases).stream()
        .map(NodeViews::entry).toList(), maxAge);
  }

  private record Snapshot(List<NodeViews.Entry> rows, long takenAt) {}

  private final Supplier<List<NodeViews.Entry>> load;
  private final long maxAgeNanos;
  private volatile Snapshot current;

  NodeList(Supplier<List<NodeViews.Entry>> load, Duration maxAge) {
    this.load = load;
    this.maxAgeNanos = maxAge.toNanos();
  }

  List<NodeViews.Entry> rows() {
    Snapshot s = current;
    if (fresh(s)) {
      return s.rows();
    }
    synchronized (this) { // one reload per window, however many requests arrive together
      s = current;
      if (fresh(s)) {
        return s.rows();
      }
      long started = System.nanoTime();
      List<NodeViews.Entry> rows = List.copyOf(load.get());
      if (maxAgeNanos > 0) {
        current = new Snapshot(rows, started);
      }
      return rows;
    }
  }

  public void invalidate() {
    current = null;
  }

  private boolean fresh(Snapshot s) {
    return s != null && System.nanoTime() - s.takenAt() < maxAgeNanos;
  }
}

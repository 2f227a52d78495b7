package dev.orion.api.node;

import dev.orion.api.auth.Principal;
import dev.orion.api.http.RenderedJson;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Jdbi;

/**
 * The node list as JSON, read from the database at most once per {@code maxAge} and shared by
 * every request in that window: listing nodes is the hottest read, and a fleet's list changes far
 * less often than it is polled. A snapshot holds the whole answer rendered (and gzipped) for
 * users who lease none of the nodes and for admins, so most requests copy one byte array; a
 * caller with leases gets the per-node pieces joined. Writes made through this API process call
 * {@link #invalidate()}, so a caller sees its own rent or release at once; changes made elsewhere
 * (other replicas, the schedulers) show within {@code maxAge}. A zero {@code maxAge} reads
 * through every time.
 */
public final class NodeList {
  /** Reads the node list from the database, as entries ready to be shown. */
  public static NodeList of(Jdbi jdbi, Duration maxAge) {
    return new NodeList(() -> jdbi.withExtension(NodeDao.class, NodeDao::listWithLeases).stream()
        .map(NodeViews::entry).toList(), maxAge);
  }

  private record Snapshot(List<NodeViews.Entry> entries, Set<Long> owners, RenderedJson everyone,
      RenderedJson admin, long takenAt) {
    Snapshot(List<NodeViews.Entry> entries, long takenAt) {
      this(entries, entries.stream().map(NodeViews.Entry::ownerId).filter(Objects::nonNull)
              .collect(Collectors.toUnmodifiableSet()),
          RenderedJson.shared(join(entries, NodeViews.Entry::everyone)),
          RenderedJson.shared(join(entries, NodeViews.Entry::admin)), takenAt);
    }
  }

  private final Supplier<List<NodeViews.Entry>> load;
  private final long maxAgeNanos;
  private volatile Snapshot current;

  NodeList(Supplier<List<NodeViews.Entry>> load, Duration maxAge) {
    this.load = load;
    this.maxAgeNanos = maxAge.toNanos();
  }

  /** The JSON array of nodes as {@code caller} may see them. Its arrays are shared: never modify them. */
  RenderedJson json(Principal caller) {
    Snapshot s = snapshot();
    if (caller.isAdmin()) {
      return s.admin();
    }
    if (!s.owners().contains(caller.userId())) {
      return s.everyone();
    }
    return RenderedJson.single(join(s.entries(), e -> e.ownedBy(caller.userId()) ? e.owner() : e.everyone()));
  }

  public void invalidate() {
    current = null;
  }

  private Snapshot snapshot() {
    Snapshot s = current;
    if (fresh(s)) {
      return s;
    }
    synchronized (this) { // one reload per window, however many requests arrive together
      s = current;
      if (fresh(s)) {
        return s;
      }
      long started = System.nanoTime(); // the window counts from the read, not from its end
      s = new Snapshot(List.copyOf(load.get()), started);
      if (maxAgeNanos > 0) {
        current = s;
      }
      return s;
    }
  }

  private boolean fresh(Snapshot s) {
    return s != null && System.nanoTime() - s.takenAt() < maxAgeNanos;
  }

  private static byte[] join(List<NodeViews.Entry> entries, Function<NodeViews.Entry, byte[]> view) {
    int size = 2 + Math.max(0, entries.size() - 1);
    for (NodeViews.Entry e : entries) {
      size += view.apply(e).length;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(size);
    out.write('[');
    for (int i = 0; i < entries.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(view.apply(entries.get(i)));
    }
    out.write(']');
    return out.toByteArray();
  }
}

package dev.orion.api.event;

import dev.orion.api.auth.Guard;
import dev.orion.api.auth.Sessions;
import java.time.Clock;
import dev.orion.api.http.WebConfig;
import dev.orion.common.event.EventLog;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's event streams. One reader thread per replica publishes the log's committed events
 * ({@link EventLog#publish}: nothing else does, so a replica with streams is what gives events
 * their ids), reads the published ones after the last it passed on, once for all streams, and
 * hands each stream what it may see; it also keeps idle streams alive. A stream that resumes
 * (Last-Event-ID) first replays the events it missed from the database, then joins the live
 * feed at exactly the id the reader has reached, so nothing is lost or sent twice, whichever
 * replica it reconnects to: ids come from the database.
 */
public final class EventHub implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EventHub.class);
  /** Events read per query. */
  static final int PAGE = 500;
  /** How often open streams' tokens are checked again (at most; the keep-alive interval if shorter). */
  static final java.time.Duration RECHECK = java.time.Duration.ofSeconds(5);
  private static final byte[] RETRY = "retry: 2000\n\n".getBytes(StandardCharsets.US_ASCII);

  private final Jdbi jdbi;
  private final WebConfig config;
  private final Set<SseStream> streams = ConcurrentHashMap.newKeySet();
  private final Object feed = new Object();
  /** The last id passed to the live streams; -1 until the database first answered. Guarded by {@link #feed}. */
  private long cursor = -1;
  private final ScheduledExecutorService reader;
  private final Sessions sessions;
  private final Clock clock;
  private final long recheckNanos;
  private long lastRecheck = System.nanoTime();
  private volatile boolean closed;

  public EventHub(Jdbi jdbi, WebConfig config, MeterRegistry metrics, Sessions sessions, Clock clock) {
    this.jdbi = jdbi;
    this.config = config;
    this.sessions = sessions;
    this.clock = clock;
    this.recheckNanos = Math.min(config.eventKeepAlive().toNanos(), RECHECK.toNanos());
    Gauge.builder("orion_event_streams", streams, Set::size)
        .description("open GET /api/events streams on this replica").register(metrics);
    reader = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "event-reader");
      t.setDaemon(true);
      return t;
    });
    long ms = config.eventPoll().toMillis();
    reader.scheduleWithFixedDelay(this::tickQuietly, ms, ms, TimeUnit.MILLISECONDS);
  }

  /** Open streams on this replica. */
  public int open() {
    return streams.size();
  }

  private void tickQuietly() {
    try {
      tick();
    } catch (RuntimeException e) {
      // The database away: streams stay open and catch up from the cursor when it is back.
      log.warn("event reader: {}", e.toString());
    }
  }

  /** One round: publish, read what is new, fan it out, keep idle streams alive. */
  void tick() {
    EventLog.publish(jdbi);
    synchronized (feed) {
      cursorLocked();
    }
    while (true) {
      long from;
      synchronized (feed) {
        from = cursor;
      }
      List<StreamDao.Row> rows = jdbi.withExtension(StreamDao.class, d -> d.after(from, PAGE));
      if (rows.isEmpty()) {
        break;
      }
      List<Visibility.Views> views = rows.stream().map(Visibility::of).toList();
      synchronized (feed) {
        for (SseStream s : streams) {
          s.deliver(views);
        }
        cursor = views.get(views.size() - 1).id();
      }
      if (rows.size() < PAGE) {
        break;
      }
    }
    if (System.nanoTime() - lastRecheck >= recheckNanos) {
      lastRecheck = System.nanoTime();
      endRevoked();
    }
    long idle = System.nanoTime() - config.eventKeepAlive().toNanos();
    for (SseStream s : streams) {
      if (s.lastQueued - idle <= 0) {
        s.offer(SseStream.KEEPALIVE);
      }
    }
  }

  /**
   * Ends the streams whose session ended since they opened (logout, a new password or role, the
   * token's expiry): a stream outlives the request that checked its token. The client's
   * reconnect then meets the 401.
   */
  private void endRevoked() {
    List<SseStream> open = List.copyOf(streams);
    if (open.isEmpty()) {
      return;
    }
    java.util.Set<Guard.Caller> revoked = sessions.revoked(open.stream().map(s -> s.caller).toList(), clock.instant());
    for (SseStream s : open) {
      if (revoked.contains(s.caller)) {
        s.close();
      }
    }
  }

  /**
   * Starts a stream on a request whose async processing has begun; the future completes when it
   * ends. {@code lastEventId}: resume after it; null: from now on.
   */
  public CompletableFuture<Void> stream(AsyncContext async, ServletOutputStream out, Guard.Caller caller,
      Long lastEventId) {
    long start = lastEventId == null ? -1 : lastEventId;
    SseStream s = new SseStream(async, out, caller, start, config.eventClientQueue(), streams::remove);
    s.start();
    if (closed) {
      s.offer(RETRY);
      s.close();
      return s.done();
    }
    if (lastEventId == null) {
      // Joined before its first bytes (the answer's head goes with them): a client that acts once
      // it has the 200 gets the events of what it did, however late this thread runs.
      synchronized (feed) {
        s.lastSeen = cursorLocked();
        s.offer(RETRY);
        joinLocked(s);
      }
    } else {
      s.offer(RETRY);
      replayThenJoin(s);
    }
    return s.done();
  }

  /** The reader's position, read from the database the first time. Under the feed's lock. */
  private long cursorLocked() {
    if (cursor < 0) {
      cursor = jdbi.withExtension(StreamDao.class, StreamDao::lastPublished);
    }
    return cursor;
  }

  /**
   * Puts the stream on the live feed, under the feed's lock. One whose client left meanwhile (its
   * removal came before this) is taken off again; one joining while the hub closes is closed (the
   * hub's own close may have passed it already).
   */
  private void joinLocked(SseStream s) {
    streams.add(s);
    if (closed) {
      s.close();
    } else if (s.isClosed()) {
      streams.remove(s);
    }
  }

  /**
   * Sends the events after the stream's last id up to where the live feed is, then joins the feed
   * at that id; if the reader moved on meanwhile, replays that stretch too. Waits for a slow
   * client to take the replay rather than overflowing its queue.
   */
  private void replayThenJoin(SseStream s) {
    while (!s.isClosed()) {
      long reached;
      synchronized (feed) {
        reached = cursorLocked();
        if (s.lastSeen >= reached) {
          joinLocked(s);
          return;
        }
      }
      long from = s.lastSeen;
      List<StreamDao.Row> rows = jdbi.withExtension(StreamDao.class, d -> d.after(from, PAGE));
      List<Visibility.Views> views = new ArrayList<>();
      for (StreamDao.Row r : rows) {
        if (r.id() <= reached) {
          views.add(Visibility.of(r));
        }
      }
      if (views.isEmpty()) {
        synchronized (feed) {
          s.lastSeen = Math.max(s.lastSeen, reached); // nothing in between (ids are dense)
        }
        continue;
      }
      awaitRoom(s);
      s.deliver(views);
    }
  }

  private void awaitRoom(SseStream s) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!s.isClosed() && s.queued() > config.eventClientQueue() / 2) {
      if (System.nanoTime() - deadline > 0) {
        s.close();
        return;
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        s.close();
        return;
      }
    }
  }

  /** Stops the reader and closes every stream: clients reconnect (to another replica) and resume. */
  @Override
  public void close() {
    closed = true;
    reader.shutdownNow();
    try {
      reader.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (SseStream s : List.copyOf(streams)) {
      s.close();
    }
  }
}

package dev.orion.localdb;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one embedded MariaDB running: when mariadbd dies without being stopped (killed, crashed,
 * out of memory), it is started again by the same {@link Starter}, so on the same port and data
 * directory, with the same accounts. Without this a dead mariadbd left its Java wrapper "running"
 * while every service lost the database for good.
 *
 * <p>A restart that fails is tried again after a doubling pause ({@code base}, at most
 * {@code cap}); after {@code maxFailedStarts} failures in a row the supervisor gives up and calls
 * {@code onGiveUp} ({@link LocalDbMain} exits non-zero, so {@code ./orion status} shows the
 * database down instead of a wrapper that serves nothing).
 */
public final class Supervisor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

  /** Starts the server (and makes sure its accounts and database exist). */
  @FunctionalInterface
  public interface Starter {
    LocalDb start() throws Exception;
  }

  private final Starter starter;
  private final Duration base;
  private final Duration cap;
  private final int maxFailedStarts;
  private final Runnable onGiveUp;
  private final AtomicInteger restarts = new AtomicInteger();
  private final Thread watcher;
  private volatile LocalDb current;
  private volatile boolean closed;

  private Supervisor(Starter starter, Duration base, Duration cap, int maxFailedStarts, Runnable onGiveUp,
      LocalDb first) {
    this.starter = starter;
    this.base = base;
    this.cap = cap;
    this.maxFailedStarts = maxFailedStarts;
    this.onGiveUp = onGiveUp;
    this.current = first;
    this.watcher = new Thread(this::watch, "localdb-supervisor");
    this.watcher.setDaemon(true);
  }

  /** Starts the server once (a failure here is thrown: nothing to heal yet), then watches it. */
  public static Supervisor start(Starter starter, Duration base, Duration cap, int maxFailedStarts,
      Runnable onGiveUp) throws Exception {
    if (maxFailedStarts < 1 || base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("need maxFailedStarts >= 1 and 0 < base <= cap");
    }
    Supervisor s = new Supervisor(starter, base, cap, maxFailedStarts, onGiveUp, starter.start());
    s.watcher.start();
    return s;
  }

  /** The server running now (another instance after each restart). */
  public LocalDb current() {
    return current;
  }

  /** How many times mariadbd was started again after dying. */
  public int restarts() {
    return restarts.get();
  }

  private void watch() {
    while (!closed) {
      try {
        current.unexpectedExit().get();
      } catch (InterruptedException e) {
        return; // closed
      } catch (ExecutionException e) {
        throw new IllegalStateException(e); // the future is only ever completed normally
      }
      if (closed) {
        return;
      }
      LOG.warn("mariadbd on port {} exited unexpectedly; starting it again", current.port());
      if (!restart()) {
        return;
      }
    }
  }

  private boolean restart() {
    for (int failed = 0; ; ) {
      synchronized (this) {
        if (closed) {
          return false;
        }
        try {
          current = starter.start();
          int n = restarts.incrementAndGet();
          LOG.info("mariadbd restarted on port {} (restart {})", current.port(), n);
          return true;
        } catch (Exception e) {
          failed++;
          LOG.error("restarting mariadbd failed ({} of {}): {}", failed, maxFailedStarts, e.toString());
        }
      }
      if (failed >= maxFailedStarts) {
        LOG.error("giving up on mariadbd after {} failed starts", failed);
        onGiveUp.run(); // outside the lock: it may exit the JVM, whose shutdown hook calls close()
        return false;
      }
      try {
        Thread.sleep(backoff(failed).toMillis());
      } catch (InterruptedException e) {
        return false;
      }
    }
  }

  private Duration backoff(int failed) {
    // Same rule as common.time.Backoff (localdb does not depend on common).
    Duration d = base.multipliedBy(1L << Math.min(failed - 1, 20));
    return d.compareTo(cap) > 0 ? cap : d;
  }

  /** Stops watching, then stops the server; it is not started again. */
  @Override
  public void close() throws Exception {
    synchronized (this) {
      closed = true;
    }
    watcher.interrupt();
    current.close();
  }
}

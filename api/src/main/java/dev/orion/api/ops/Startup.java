package dev.orion.api.ops;

import dev.orion.common.time.Backoff;
import java.net.ConnectException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's start-up steps that need the database (migrate or validate the schema, ensure the
 * admin account), run until they succeed while the HTTP server already answers.
 *
 * <p>A replica that exited when its database was unreachable at start was restarted by the
 * autoscaler again and again (50 times in 10 minutes with a killed mariadbd). Now it stays up,
 * answers {@code /api/ready} with 503 ("starting: waiting for the database") and every other API
 * route with 503 and {@code Retry-After}, and tries again after a doubling pause, logging each
 * attempt. Only an unreachable database is waited for: any other failure (wrong password, a
 * schema this build does not know) is a configuration error and still stops the process.
 */
public final class Startup {
  private static final Logger LOG = LoggerFactory.getLogger(Startup.class);

  /** One attempt at the database steps; throws when they could not complete. */
  @FunctionalInterface
  public interface Steps {
    void run();
  }

  private final Duration base;
  private final Duration cap;
  private final CountDownLatch done = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final AtomicInteger attempts = new AtomicInteger();

  public Startup(Duration base, Duration cap) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("need 0 < base <= cap, got " + base + ", " + cap);
    }
    this.base = base;
    this.cap = cap;
  }

  /** True once the steps completed: the replica serves every route. */
  public boolean complete() {
    return done.getCount() == 0;
  }

  /** Attempts made so far (1 when the database answered at once). */
  public int attempts() {
    return attempts.get();
  }

  /**
   * Runs {@code steps} until they succeed; returns false when {@link #stop} was called first.
   * Throws what a failure other than an unreachable database threw.
   */
  public boolean run(Steps steps) {
    while (stopped.getCount() > 0) {
      int n = attempts.incrementAndGet();
      try {
        steps.run();
        done.countDown();
        if (n > 1) {
          LOG.info("database reached after {} attempts; serving", n);
        }
        return true;
      } catch (RuntimeException e) {
        if (!unreachable(e)) {
          throw e;
        }
        Duration pause = Backoff.doubling(base, cap, n - 1);
        LOG.warn("database unreachable at start (attempt {}): {}; trying again in {} ms", n, rootMessage(e),
            pause.toMillis());
        try {
          if (stopped.await(pause.toMillis(), TimeUnit.MILLISECONDS)) {
            return false;
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  /** Ends a wait in {@link #run} (the process is stopping). */
  public void stop() {
    stopped.countDown();
  }

  /**
   * A connection that could not be made at all (refused, timed out, server gone). A server that
   * answered and refused the login says so with SQLSTATE 28000, which the pool's timeout wraps:
   * that is a wrong password, not something waiting fixes.
   */
  static boolean unreachable(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLInvalidAuthorizationSpecException) {
        return false;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
          || t instanceof ConnectException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}

package dev.orion.scheduler;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one {@link Tick} on its own thread until stopped. A tick that handled a full batch runs
 * again at once, so a backlog drains at database speed; otherwise the loop waits its interval.
 * A failing tick (the database is away, say) is logged and retried next interval: the loop never
 * dies, so work resumes by itself when the fault clears.
 */
public final class Loop implements AutoCloseable {
  /** One round of a loop. Implementations catch and log per item; returns how many items it took. */
  @FunctionalInterface
  public interface Tick {
    int run() throws Exception;
  }

  private static final Logger log = LoggerFactory.getLogger(Loop.class);

  private final String name;
  private final Duration interval;
  private final int fullBatch;
  private final Tick tick;
  private final CountDownLatch stop = new CountDownLatch(1);
  private Thread thread;
  private volatile String lastFailure;
  private volatile Timer ticks;

  public Loop(String name, Duration interval, int fullBatch, Tick tick) {
    this.name = name;
    this.interval = interval;
    this.fullBatch = fullBatch;
    this.tick = tick;
  }

  /** Records each tick's duration as {@code orion_loop_tick_seconds{loop}} in {@code metrics}. */
  public Loop timed(MeterRegistry metrics) {
    ticks = Timer.builder("orion_loop_tick")
        .description("Duration of one round of a scheduler loop, failed rounds included")
        .tag("loop", name)
        .register(metrics);
    return this;
  }

  public synchronized Loop start() {
    if (thread != null) {
      throw new IllegalStateException(name + " already started");
    }
    thread = new Thread(this::runUntilStopped, "loop-" + name);
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Asks the loop to stop after its current tick, without waiting (see {@link #stop}). */
  public void requestStop() {
    stop.countDown();
  }

  /** Asks the loop to stop after its current tick and waits for that tick to finish. */
  public void stop() {
    stop.countDown();
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t != null && t != Thread.currentThread()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }

  private void runUntilStopped() {
    while (stop.getCount() > 0) {
      int handled = runOnce();
      if (handled >= fullBatch) {
        continue;
      }
      try {
        if (stop.await(interval.toMillis(), TimeUnit.MILLISECONDS)) {
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private int runOnce() {
    long started = System.nanoTime();
    try {
      int handled = tick.run();
      if (lastFailure != null) {
        log.info("{} loop recovered after: {}", name, lastFailure);
        lastFailure = null;
      }
      return handled;
    } catch (Exception | Error e) {
      if (e instanceof VirtualMachineError) {
        throw (Error) e;
      }
      String failure = e.getClass().getSimpleName() + ": " + e.getMessage();
      // Log the first failure with its stack, repeats of the same fault in one line each.
      if (!failure.equals(lastFailure)) {
        log.warn("{} loop tick failed; retrying every {}", name, interval, e);
      } else {
        log.warn("{} loop tick failed again: {}", name, failure);
      }
      lastFailure = failure;
      return 0;
    } finally {
      Timer t = ticks;
      if (t != null) {
        t.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
      }
    }
  }
}

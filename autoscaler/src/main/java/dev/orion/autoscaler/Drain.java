package dev.orion.autoscaler;

import dev.orion.autoscaler.caddy.CaddyAdmin;
import dev.orion.autoscaler.replica.Replica;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a replica already out of Caddy's rotation has no request in flight (as Caddy counts
 * them), at most {@code timeout}, then a short {@code grace} for connections Caddy is still
 * closing and clients that bypass it. Only then may the replica be stopped.
 */
final class Drain {
  private static final Logger log = LoggerFactory.getLogger(Drain.class);
  private final CaddyAdmin caddy;
  private final Duration timeout;
  private final Duration grace;

  Drain(CaddyAdmin caddy, Duration timeout, Duration grace) {
    this.caddy = caddy;
    this.timeout = timeout;
    this.grace = grace;
  }

  void await(Replica r) {
    long deadline = System.nanoTime() + timeout.toNanos();
    int inFlight = -1;
    while (System.nanoTime() < deadline) {
      try {
        inFlight = caddy.inFlight(r.dial());
      } catch (RuntimeException e) {
        log.warn("replica {}: could not read in-flight requests: {}", r, e.toString());
        inFlight = -1;
      }
      if (inFlight == 0) {
        break;
      }
      sleep(Duration.ofMillis(100));
    }
    if (inFlight != 0) {
      log.warn("replica {} still had {} request(s) in flight after {}", r, inFlight, timeout);
    }
    sleep(grace);
    log.info("replica {} drained, stopping", r);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

package dev.orion.common.ssh;

import dev.orion.common.ssh.WorkerException.Kind;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.connection.channel.direct.Session;

/**
 * A resident helper ({@link WorkerConnections#ask}): a command left running on a worker's admin
 * connection that answers each request line with one line. It holds one of the connection's
 * sessions for as long as it runs, and gives it back when closed.
 */
final class HelperSession {
  private final Session session;
  private final Session.Command cmd;
  private final Semaphore permits;
  private final ScheduledExecutorService timeouts;
  private final BufferedReader answers;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** The helper ended (or its connection did) before it answered. */
  static final class Gone extends Exception {
    Gone(String message) {
      super("the helper " + message);
    }
  }

  /**
   * @param permits the connection's sessions, one of which the caller acquired for this helper
   * @param timeouts runs the watchdog that stops a helper not answering in time (sshj's channel
   *     reads have no timeout of their own)
   */
  HelperSession(Session session, Session.Command cmd, Semaphore permits, ScheduledExecutorService timeouts) {
    this.session = session;
    this.cmd = cmd;
    this.permits = permits;
    this.timeouts = timeouts;
    this.answers = new BufferedReader(new InputStreamReader(cmd.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
  }

  /** Sends the line and reads the answer; one not there within {@code timeout} stops the helper. */
  String exchange(WorkerEndpoint w, byte[] line, Duration timeout) throws WorkerException, Gone {
    try {
      if (!cmd.isOpen()) {
        throw new Gone("its channel is closed");
      }
      cmd.getOutputStream().write(line);
      cmd.getOutputStream().flush();
    } catch (IOException e) {
      throw new Gone("sending the request failed: " + e);
    }
    AtomicBoolean timedOut = new AtomicBoolean();
    ScheduledFuture<?> watchdog = timeouts.schedule(() -> {
      timedOut.set(true);
      close(); // ends the blocked read
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    String answer = null;
    try {
      answer = answers.readLine();
    } catch (IOException e) {
      // the helper or its connection ended, or the watchdog closed it
    } finally {
      watchdog.cancel(false);
    }
    if (answer != null) {
      return answer; // even if the watchdog closed it just after: the next request starts another
    }
    if (timedOut.get()) {
      throw new WorkerException(w, "helper", Kind.TIMEOUT, "no answer within " + timeout);
    }
    throw new Gone("it ended without answering");
  }

  /** What the helper wrote to stderr before it ended (a program that does not start says why there). */
  String errors() {
    try {
      cmd.join(1, TimeUnit.SECONDS);
      String err = IOUtils.readFully(cmd.getErrorStream()).toString(StandardCharsets.UTF_8).strip();
      return err.isEmpty() ? "" : ": " + (err.length() > 500 ? err.substring(0, 500) : err);
    } catch (IOException e) {
      return "";
    }
  }

  void close() {
    if (closed.compareAndSet(false, true)) {
      try {
        session.close();
      } catch (IOException ignored) {
        // the channel or its connection is gone already
      }
      permits.release();
    }
  }
}

package dev.orion.common.ssh;

import dev.orion.common.ssh.WorkerException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.common.DisconnectReason;
import net.schmizz.concurrent.Promise;
import net.schmizz.sshj.common.IOUtils;
import net.schmizz.sshj.common.SSHPacket;
import net.schmizz.sshj.connection.ConnectionException;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.UserAuthException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One persistent, authenticated admin connection per worker, shared by all threads. A handshake
 * costs ~100 ms while a command on an open connection costs a few ms, so health probes and
 * provisioning reuse the connection; it is verified against the pinned host key whenever it is
 * (re)established. A cached connection found dead is replaced once, transparently.
 */
public final class WorkerConnections implements AutoCloseable {
  /**
   * Concurrent sessions per connection. OpenSSH's default MaxSessions is 10; staying below it
   * leaves room for an operator's own multiplexed session.
   */
  public static final int MAX_SESSIONS_PER_CONNECTION = 8;
  /** The global request OpenSSH clients send as a keepalive; sshd answers it (with a refusal). */
  private static final String KEEPALIVE = "keepalive@openssh.com";
  private static final long KEEPALIVE_SLICE_MS = 100;

  private static final Logger LOG = LoggerFactory.getLogger(WorkerConnections.class);
  /** Stops a helper that does not answer in time ({@link HelperSession}). */
  private final ScheduledExecutorService timeouts = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "ssh-helper-watchdog");
    t.setDaemon(true);
    return t;
  });

  private final SshConfig cfg;
  private final DefaultConfig sshj = new DefaultConfig(); // building it is costly; it is immutable in use
  private final KeyProvider adminKey;
  private final ConcurrentHashMap<Long, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicLong handshakes = new AtomicLong();
  private volatile boolean closed;

  public WorkerConnections(SshConfig cfg) {
    this.cfg = cfg;
    this.adminKey = AdminKey.load(sshj, cfg.adminKey());
  }

  /**
   * Runs {@code command} through the worker's login shell as the admin user and waits for its
   * exit status. A non-zero exit is a normal result, not an exception. Output is meant to be
   * small (status lines, user lists), well under the SSH window of 2 MB.
   */
  public ExecResult exec(WorkerEndpoint w, String command) throws WorkerException {
    Slot slot = slot(w);
    acquire(slot, w);
    try {
      return onLink(slot, w, "exec", link -> run(link, w, command));
    } finally {
      slot.sessions.release();
    }
  }

  /**
   * Sends one request line to the node's resident helper and returns its one-line answer. The
   * helper is {@code command}, started on the admin connection at first use and kept running on
   * it (a session costs the worker a fork of sshd and a shell: more than most requests), one
   * request at a time. A helper that turns out gone (its connection replaced, its process ended)
   * is started again and asked once more, so requests must be safe to repeat; one that ends at its
   * start is UNREACHABLE, one that does not answer within the command timeout is stopped (TIMEOUT).
   */
  public String ask(WorkerEndpoint w, String command, String request) throws WorkerException {
    if (request.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a request is one line");
    }
    byte[] line = (request + "\n").getBytes(StandardCharsets.UTF_8);
    Slot slot = slot(w);
    try {
      if (!slot.helperLock.tryLock(cfg.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new WorkerException(w, "helper", Kind.TIMEOUT, "the helper stayed busy for " + cfg.commandTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerException(w, "helper", Kind.TIMEOUT, "interrupted while waiting for the helper", e);
    }
    try {
      while (true) {
        boolean fresh = slot.helper == null;
        if (fresh) {
          slot.helper = onLink(slot, w, "start helper", link -> startHelper(slot, link, w, command));
        }
        try {
          return slot.helper.exchange(w, line, cfg.commandTimeout());
        } catch (HelperSession.Gone gone) {
          if (fresh) {
            throw new WorkerException(w, "helper", Kind.UNREACHABLE, gone.getMessage() + slot.helper.errors());
          }
          LOG.info("{}: the resident helper is gone ({}), starting it again", w.describe(), gone.getMessage());
          slot.stopHelper();
        }
      }
    } catch (WorkerException e) {
      slot.stopHelper();
      throw e;
    } finally {
      slot.helperLock.unlock();
    }
  }

  private HelperSession startHelper(Slot slot, Link link, WorkerEndpoint w, String command)
      throws WorkerException, StaleConnection {
    acquire(slot, w);
    try {
      Session session = openSession(link);
      try {
        return new HelperSession(session, session.exec(command), slot.sessions, timeouts);
      } catch (IOException e) {
        try {
          session.close();
        } catch (IOException ignored) {
          // the connection is suspect already
        }
        throw new StaleConnection(e);
      }
    } catch (StaleConnection | RuntimeException e) {
      slot.sessions.release();
      throw e;
    }
  }

  /**
   * Proves the worker's sshd answers on the cached admin connection with an SSH keepalive request,
   * which sshd answers itself: no session, no process on the worker (an exec costs one). A dead
   * cached connection is replaced once, as for {@link #exec}.
   */
  public void ping(WorkerEndpoint w) throws WorkerException {
    onLink(slot(w), w, "keepalive", link -> {
      keepalive(link, w);
      return null;
    });
  }

  private Slot slot(WorkerEndpoint w) {
    if (closed) {
      throw new IllegalStateException("WorkerConnections is closed");
    }
    return slots.computeIfAbsent(w.nodeId(), id -> new Slot());
  }

  /** Runs {@code op} on the node's cached connection, replacing it once if it turns out dead. */
  private <T> T onLink(Slot slot, WorkerEndpoint w, String step, OnLink<T> op) throws WorkerException {
    Link link = slot.link(w);
    boolean madeNow = link.claimFresh();
    try {
      return op.apply(link);
    } catch (StaleConnection stale) {
      if (madeNow) { // a connection that just came up and fails at once: the worker, not the cache, is the problem
        throw new WorkerException(w, step, Kind.UNREACHABLE, stale.getCause().toString(), stale.getCause());
      }
      LOG.info("{}: cached SSH connection is dead ({}), reconnecting", w.describe(), stale.getCause().toString());
      slot.discard(link);
      try {
        Link replacement = slot.link(w);
        replacement.claimFresh();
        return op.apply(replacement);
      } catch (StaleConnection again) {
        throw new WorkerException(w, step, Kind.UNREACHABLE, again.getCause().toString(), again.getCause());
      }
    }
  }

  private interface OnLink<T> {
    T apply(Link link) throws WorkerException, StaleConnection;
  }

  private void keepalive(Link link, WorkerEndpoint w) throws WorkerException, StaleConnection {
    Promise<SSHPacket, ConnectionException> answer;
    try {
      answer = link.client.getConnection().sendGlobalRequest(KEEPALIVE, true, new byte[0]);
    } catch (TransportException | IllegalStateException e) {
      throw new StaleConnection(e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
    // Waited for in slices: a request sent while sshj shuts a dropped connection down is queued
    // after the pending ones were failed, and nobody will ever answer it.
    long deadline = System.nanoTime() + cfg.commandTimeout().toNanos();
    while (true) {
      try {
        if (answer.tryRetrieve(KEEPALIVE_SLICE_MS, TimeUnit.MILLISECONDS) != null) {
          return;
        }
      } catch (ConnectionException e) {
        if (e.getCause() instanceof InterruptedException) {
          throw new WorkerException(w, "keepalive", Kind.TIMEOUT, "interrupted while waiting for the answer", e);
        }
        if (isRefusal(e)) {
          return; // sshd answered, refusing the request as OpenSSH does: an answer all the same
        }
        // The transport died under the request. sshj fails the request before it marks the client
        // disconnected, so the exception, not isConnected(), tells a drop from a refusal.
        throw new StaleConnection(e);
      }
      if (!link.client.isConnected()) {
        throw new StaleConnection(new IOException("connection closed while waiting for the keepalive's answer"));
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new WorkerException(w, "keepalive", Kind.TIMEOUT, "no answer within " + cfg.commandTimeout());
      }
    }
  }

  /** sshj's SSH_MSG_REQUEST_FAILURE: a bare ConnectionException; a dying transport's carries its cause. */
  private static boolean isRefusal(ConnectionException e) {
    return e.getCause() == null && e.getDisconnectReason() == DisconnectReason.UNKNOWN;
  }

  /** Drops (and closes) the cached connection of a node, e.g. after it was forgotten or died. */
  public void forget(long nodeId) {
    Slot slot = slots.remove(nodeId);
    if (slot != null) {
      slot.closeLink();
    }
  }

  /** Handshakes made so far; with healthy workers it stays at one per worker. */
  public long handshakes() {
    return handshakes.get();
  }

  @Override
  public void close() {
    closed = true;
    slots.values().forEach(Slot::closeLink);
    slots.clear();
    timeouts.shutdownNow();
  }

  private void acquire(Slot slot, WorkerEndpoint w) throws WorkerException {
    try {
      if (!slot.sessions.tryAcquire(cfg.commandTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new WorkerException(w, "exec", Kind.TIMEOUT,
            "all " + MAX_SESSIONS_PER_CONNECTION + " sessions stayed busy for " + cfg.commandTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new WorkerException(w, "exec", Kind.TIMEOUT, "interrupted while waiting for a session", e);
    }
  }

  private static Session openSession(Link link) throws StaleConnection {
    try {
      return link.client.startSession();
    } catch (IOException e) {
      throw new StaleConnection(e);
    } catch (IllegalStateException e) {
      // sshj's "Not connected": the transport already saw the peer go away.
      throw new StaleConnection(new IOException(e.getMessage(), e));
    }
  }

  private ExecResult run(Link link, WorkerEndpoint w, String command) throws WorkerException, StaleConnection {
    Session session = openSession(link);
    Session.Command cmd;
    try {
      try {
        cmd = session.exec(command);
      } catch (IOException e) {
        throw new StaleConnection(e);
      }
      try {
        cmd.join(cfg.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (ConnectionException e) {
        // A dying transport fails the channel before the client reads as disconnected, so the
        // cause, not isConnected(), tells a lost connection from a command that ran too long.
        if (!(e.getCause() instanceof TimeoutException || e.getCause() instanceof InterruptedException)) {
          throw new WorkerException(w, "exec", Kind.UNREACHABLE, "connection lost while running the command", e);
        }
        // Never the command's text: provisioning scripts carry the password hash.
        throw new WorkerException(w, "exec", Kind.TIMEOUT,
            "no exit status within " + cfg.commandTimeout() + " for a command of " + command.length() + " characters", e);
      }
      // The channel is closed, so both streams hold everything and reading does not block.
      String out = IOUtils.readFully(cmd.getInputStream()).toString(StandardCharsets.UTF_8);
      String err = IOUtils.readFully(cmd.getErrorStream()).toString(StandardCharsets.UTF_8);
      Integer status = cmd.getExitStatus();
      return new ExecResult(status == null ? ExecResult.KILLED : status, out, err);
    } catch (IOException e) {
      throw new WorkerException(w, "exec", Kind.UNREACHABLE, "reading the command's output failed", e);
    } finally {
      try {
        session.close();
      } catch (IOException ignored) {
        // the channel is already closed by the server in the normal case
      }
    }
  }

  private Link connect(WorkerEndpoint w) throws WorkerException {
    PinnedHostKey verifier;
    try {
      verifier = new PinnedHostKey(w.hostKey());
    } catch (IllegalArgumentException e) {
      throw new WorkerException(w, "connect", Kind.HOST_KEY_MISMATCH, "pinned host key is unusable: " + e.getMessage());
    }
    SSHClient client = new SSHClient(sshj);
    int timeoutMs = (int) cfg.connectTimeout().toMillis();
    client.setSocketFactory(NoDelaySocketFactory.INSTANCE);
    client.setConnectTimeout(timeoutMs);
    client.getTransport().setTimeoutMs(timeoutMs);
    client.getConnection().setTimeoutMs(timeoutMs);
    client.addHostKeyVerifier(verifier);
    long started = System.nanoTime();
    try {
      handshakes.incrementAndGet();
      client.connect(w.host(), w.port());
      client.authPublickey(cfg.adminUser(), adminKey);
    } catch (TransportException e) {
      closeQuietly(client);
      if (e.getDisconnectReason() == DisconnectReason.HOST_KEY_NOT_VERIFIABLE) {
        LOG.warn("{}: presented host key {} but {} is pinned; refusing the connection",
            w.describe(), verifier.presentedFingerprint(), HostKeys.fingerprint(w.hostKey()));
        throw new WorkerException(w, "connect", Kind.HOST_KEY_MISMATCH, "presented host key "
            + verifier.presentedFingerprint() + " but " + HostKeys.fingerprint(w.hostKey()) + " is pinned", e);
      }
      throw new WorkerException(w, "connect", Kind.UNREACHABLE, e.toString(), e);
    } catch (UserAuthException e) {
      closeQuietly(client);
      throw new WorkerException(w, "authenticate as " + cfg.adminUser(), Kind.AUTH_FAILED, e.getMessage(), e);
    } catch (ConnectException | NoRouteToHostException | SocketTimeoutException | UnknownHostException e) {
      closeQuietly(client);
      throw new WorkerException(w, "connect", Kind.UNREACHABLE, e.toString(), e);
    } catch (IOException e) {
      closeQuietly(client);
      throw new WorkerException(w, "connect", Kind.UNREACHABLE, e.toString(), e);
    }
    LOG.debug("{}: connected in {} ms", w.describe(), (System.nanoTime() - started) / 1_000_000);
    return new Link(client, w);
  }

  private static void closeQuietly(SSHClient client) {
    try {
      client.close();
    } catch (IOException ignored) {
      // nothing to salvage from a connection that failed to come up
    }
  }

  /** A connection and the endpoint (address and pinned key) it was verified against. */
  private static final class Link {
    final SSHClient client;
    final WorkerEndpoint endpoint;
    private final AtomicBoolean fresh = new AtomicBoolean(true);

    Link(SSHClient client, WorkerEndpoint endpoint) {
      this.client = client;
      this.endpoint = endpoint;
    }

    /** True for exactly one caller: the first to use the connection after it was made. */
    boolean claimFresh() {
      return fresh.getAndSet(false);
    }

    boolean usableFor(WorkerEndpoint w) {
      return endpoint.equals(w) && client.isConnected() && client.isAuthenticated();
    }
  }

  /** Failure to open a session or start a command: the connection, not the command, is suspect. */
  private static final class StaleConnection extends Exception {
    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  /** Per-node state: the cached link, its resident helper and the bound on concurrent sessions. */
  private final class Slot {
    final Semaphore sessions = new Semaphore(MAX_SESSIONS_PER_CONNECTION, true);
    /** One request at a time to the helper, which is null until started. */
    final ReentrantLock helperLock = new ReentrantLock(true);
    volatile HelperSession helper; // written under helperLock; read without it when the link closes
    private volatile Link link;

    Link link(WorkerEndpoint w) throws WorkerException {
      Link current = link;
      if (current != null && current.usableFor(w)) {
        return current;
      }
      synchronized (this) { // one handshake per node, however many threads ask at once
        current = link;
        if (current != null && current.usableFor(w)) {
          return current;
        }
        if (current != null) {
          link = null;
          closeQuietly(current.client);
        }
        Link made = connect(w);
        link = made;
        return made;
      }
    }

    synchronized void discard(Link dead) {
      if (link == dead) {
        link = null;
      }
      closeQuietly(dead.client);
    }

    /** Under helperLock. */
    void stopHelper() {
      HelperSession h = helper;
      helper = null;
      if (h != null) {
        h.close();
      }
    }

    synchronized void closeLink() {
      HelperSession h = helper;
      if (h != null) {
        h.close(); // its next request finds it closed and starts it again
      }
      if (link != null) {
        closeQuietly(link.client);
        link = null;
      }
    }
  }
}

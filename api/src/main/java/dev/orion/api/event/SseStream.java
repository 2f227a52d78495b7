package dev.orion.api.event;

import dev.orion.api.auth.Guard;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One open event stream, written with the servlet's non-blocking output: whoever offers a frame
 * (the replica's one reader, a replay) never waits on the network. Frames the socket cannot take
 * yet wait in a bounded queue and go out when the container says it can write again; a client so
 * slow that the queue fills is closed (it resumes with Last-Event-ID), so it never holds up the
 * others or grows the heap.
 */
final class SseStream implements WriteListener, AsyncListener {
  static final byte[] KEEPALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

  final Guard.Caller caller;
  final long userId;
  final boolean admin;
  /** The last event id this stream has passed (sent or not visible to it); only the hub touches it. */
  long lastSeen;
  /** When a frame was last queued (nanoTime), for keep-alives. */
  volatile long lastQueued = System.nanoTime();

  private final ServletOutputStream out;
  private final int maxQueued;
  private final ArrayDeque<byte[]> queue = new ArrayDeque<>();
  private final CompletableFuture<Void> done = new CompletableFuture<>();
  private final Consumer<SseStream> onClose;
  private boolean unflushed;
  private boolean closed;

  SseStream(AsyncContext async, ServletOutputStream out, Guard.Caller caller, long lastSeen, int maxQueued,
      Consumer<SseStream> onClose) {
    this.out = out;
    this.caller = caller;
    this.userId = caller.principal().userId();
    this.admin = caller.principal().isAdmin();
    this.lastSeen = lastSeen;
    this.maxQueued = maxQueued;
    this.onClose = onClose;
    async.addListener(this);
  }

  /** Completes when the stream is closed; the response then ends. */
  CompletableFuture<Void> done() {
    return done;
  }

  /** Starts writing: from here on the container calls {@link #onWritePossible}. */
  void start() {
    out.setWriteListener(this);
  }

  /** Passes the events after {@link #lastSeen} this stream may see; false once it is closed. */
  boolean deliver(List<Visibility.Views> events) {
    boolean open = true;
    for (Visibility.Views v : events) {
      if (v.id() <= lastSeen) {
        continue;
      }
      lastSeen = v.id();
      byte[] frame = v.forViewer(userId, admin);
      if (frame != null && open) {
        open = offer(frame);
      }
    }
    return open;
  }

  /** Queues a frame and writes what the socket takes now; closes the stream when the queue is full. */
  boolean offer(byte[] frame) {
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (queue.size() < maxQueued) {
        queue.add(frame);
        lastQueued = System.nanoTime();
        if (pump()) {
          return true;
        }
      }
    }
    close(); // too slow (or gone): it resumes by Last-Event-ID
    return false;
  }

  synchronized int queued() {
    return queue.size();
  }

  synchronized boolean isClosed() {
    return closed;
  }

  /** Writes while the socket takes more; false when writing failed. */
  private boolean pump() {
    try {
      while (!closed && out.isReady()) {
        byte[] next = queue.poll();
        if (next == null) {
          if (!unflushed) {
            return true;
          }
          unflushed = false;
          out.flush(); // may complete later: isReady() says so
          continue;
        }
        out.write(next);
        unflushed = true;
      }
      return true;
    } catch (IOException | IllegalStateException e) {
      return false;
    }
  }

  @Override
  public void onWritePossible() {
    boolean ok;
    synchronized (this) {
      ok = pump();
    }
    if (!ok) {
      close();
    }
  }

  @Override
  public void onError(Throwable t) {
    close();
  }

  /** Ends the stream (idempotent); the client reconnects and resumes from the last id it got. */
  void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      queue.clear();
    }
    onClose.accept(this);
    done.complete(null);
  }

  @Override
  public void onComplete(AsyncEvent event) {
    close();
  }

  @Override
  public void onTimeout(AsyncEvent event) {
    close();
  }

  @Override
  public void onError(AsyncEvent event) {
    close();
  }

  @Override
  public void onStartAsync(AsyncEvent event) {}
}

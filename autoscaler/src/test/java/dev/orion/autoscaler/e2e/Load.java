package dev.orion.autoscaler.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;

/**
 * Bounded client load: a few threads sending GETs back to back, each outcome recorded with its
 * start and end. It stops by itself after {@code maxRequests} or {@code maxTime}, whichever comes
 * first, so a stuck test cannot hammer the machine forever.
 */
public final class Load implements AutoCloseable {
  /**
   * One request: when it started and ended (System.nanoTime), its status or error, and the
   * replica that answered (the pool's X-Orion-Replica header).
   */
  public record Outcome(long startNanos, long endNanos, int status, String replica,
      String error) {
    public boolean ok() {
      return error == null && status / 100 == 2;
    }
  }

  private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> threads = new ArrayList<>();
  private volatile Supplier<HttpRequest.Builder> target;
  private volatile long pauseMillis;

  /** GETs of {@code target}. */
  public static Load gets(SSLContext trust, int threadCount, Supplier<URI> target,
      long pauseMillis, int maxRequests, Duration maxTime) {
    return new Load(trust, threadCount, () -> HttpRequest.newBuilder(target.get()).GET(),
        pauseMillis, maxRequests, maxTime);
  }

  public Load(SSLContext trust, int threadCount, Supplier<HttpRequest.Builder> target,
      long pauseMillis, int maxRequests, Duration maxTime) {
    this.target = target;
    this.pauseMillis = pauseMillis;
    HttpClient http = HttpClient.newBuilder().sslContext(trust)
        .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + maxTime.toNanos();
    for (int i = 0; i < threadCount; i++) {
      Thread t = new Thread(() -> {
        while (running.get() && outcomes.size() < maxRequests && System.nanoTime() < deadline) {
          long start = System.nanoTime();
          try {
            HttpResponse<String> r = http.send(this.target.get()
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            String replica = r.headers().firstValue("X-Orion-Replica").orElse("?");
            outcomes.add(new Outcome(start, System.nanoTime(), r.statusCode(), replica, null));
          } catch (Exception e) {
            outcomes.add(new Outcome(start, System.nanoTime(), 0, "", e.toString()));
          }
          if (this.pauseMillis > 0) {
            try {
              Thread.sleep(this.pauseMillis);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }, "load-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  /** Changes what the running threads send, e.g. from heavy to light load. */
  public void retarget(Supplier<HttpRequest.Builder> next, long pause) {
    this.target = next;
    this.pauseMillis = pause;
  }

  public List<Outcome> outcomes() {
    return List.copyOf(outcomes);
  }

  public List<Outcome> failures() {
    return outcomes.stream().filter(o -> !o.ok()).toList();
  }

  /** Successful answers per replica dial address. */
  public Map<String, Integer> perReplica() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Outcome o : outcomes) {
      if (o.ok()) {
        counts.merge(o.replica(), 1, Integer::sum);
      }
    }
    return counts;
  }

  public boolean running() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(40_000);
    }
  }
}

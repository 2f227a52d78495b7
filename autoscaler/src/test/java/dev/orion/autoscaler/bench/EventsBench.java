package dev.orion.autoscaler.bench;

import dev.orion.autoscaler.e2e.ApiClient;
import dev.orion.autoscaler.e2e.ApiProcesses;
import dev.orion.common.db.Database;
import dev.orion.common.event.Event;
import dev.orion.common.event.EventLog;
import dev.orion.testkit.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Event fan-out of one API replica, measured directly (no Caddy): N concurrent GET /api/events
 * streams (default 1,000) on one API process; each round commits one lease event over JDBC (what
 * the lease store writes with a lease change) and records, for every stream, the time from the
 * event's {@code at} (stamped in the writing transaction, same machine clock) to the moment its
 * {@code id:} line arrived. Also the API's memory per open stream: RSS and heap after a full GC,
 * before and with the streams open. Appends the figures to docs/benchmarks.md.
 */
public final class EventsBench {
  private EventsBench() {}

  public static void main(String[] args) throws Exception {
    int streams = BenchRun.intArg(args, 1, 1000);
    int rounds = BenchRun.intArg(args, 2, 20);
    BenchRun run = BenchRun.start(args, "events-bench", 8);
    int port = Ports.free();
    int metricsPort = Ports.free();
    ProcessBuilder pb = new ProcessBuilder(ApiProcesses.command(ApiProcesses.API_MAIN)).redirectErrorStream(true)
        .redirectOutput(run.home().resolve("api.log").toFile());
    pb.environment().putAll(run.api().env());
    pb.environment().put("ORION_HTTP_PORT", Integer.toString(port));
    pb.environment().put("ORION_METRICS_PORT", Integer.toString(metricsPort));
    Process proc = pb.start();
    String base = "http://127.0.0.1:" + port;
    String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    List<CompletableFuture<?>> open = new ArrayList<>();
    try (Database database = Database.connect(run.db())) {
      HeartbeatBench.awaitReady(base);
      String token = new ApiClient(base, null).token(run.api().adminUser, run.api().adminPassword);
      Thread.sleep(2000);
      long[] idle = memory(http, proc.pid(), metrics);

      // Arrival times per event id, one slot per stream.
      Map<Long, long[]> arrivals = new ConcurrentHashMap<>();
      Map<Long, AtomicInteger> counts = new ConcurrentHashMap<>();
      Map<Long, CountDownLatch> done = new ConcurrentHashMap<>();
      AtomicInteger connected = new AtomicInteger();
      CountDownLatch allOpen = new CountDownLatch(streams);
      for (int i = 0; i < streams; i++) {
        int slot = i;
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/events"))
            .header("Authorization", "Bearer " + token).GET().build();
        open.add(http.sendAsync(req, HttpResponse.BodyHandlers.fromLineSubscriber(new Flow.Subscriber<String>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
          }

          @Override
          public void onNext(String line) {
            if (line.startsWith("retry:")) {
              connected.incrementAndGet();
              allOpen.countDown();
            } else if (line.startsWith("id: ")) {
              long now = System.currentTimeMillis();
              long id = Long.parseLong(line.substring(4));
              long[] a = arrivals.get(id);
              if (a != null) {
                a[slot] = now;
                if (counts.get(id).incrementAndGet() == streams) {
                  done.get(id).countDown();
                }
              }
            }
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onComplete() {}
        })));
      }
      if (!allOpen.await(120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("only " + connected.get() + " of " + streams + " streams opened");
      }
      Thread.sleep(2000);
      long[] busy = memory(http, proc.pid(), metrics);

      List<Long> latencies = new ArrayList<>();
      List<Long> lastClient = new ArrayList<>();
      int missing = 0;
      int warmUp = 3; // not counted: the first events after start-up meet cold code paths
      for (int r = -warmUp; r < rounds; r++) {
        Instant at = Instant.now();
        // The id is known only once published; watch for the next one.
        long next = database.jdbi().withHandle(h -> h.createQuery("SELECT last_id FROM event_sequence").mapTo(Long.class)
            .one()) + 1;
        arrivals.put(next, new long[streams]);
        counts.put(next, new AtomicInteger());
        done.put(next, new CountDownLatch(1));
        database.jdbi().useTransaction(h -> EventLog.append(h,
            Event.lease(1, at, "bench", "active", "active", 1L, 1L, "bench round")));
        if (!done.get(next).await(30, TimeUnit.SECONDS)) {
          missing += streams - counts.get(next).get();
        }
        if (r < 0) {
          Thread.sleep(700);
          continue;
        }
        long max = 0;
        for (long t : arrivals.get(next)) {
          if (t > 0) {
            latencies.add(t - at.toEpochMilli());
            max = Math.max(max, t - at.toEpochMilli());
          }
        }
        lastClient.add(max);
        Thread.sleep(700 + (r % 5) * 60L); // land at different points of the reader's interval
      }
      Collections.sort(latencies);
      Collections.sort(lastClient);
      double rssPer = (busy[0] - idle[0]) / (double) streams;
      double heapPer = (busy[1] - idle[1]) / (double) streams;
      String section = String.format(Locale.ROOT, """

          ## Event fan-out, one replica, direct (bench/events.sh)

          - date: %s
          - machine: %s
          - command: `bench/events.sh %d %d`
          - setup: embedded MariaDB 11.4 and one API process (`dev.orion.api.ApiMain`, -Xmx256m, serial GC,
            default ORION_EVENTS_POLL_INTERVAL = 250 ms), reached directly on its port (not through Caddy); %d
            concurrent GET /api/events streams as the admin from one client JVM (java.net.http, HTTP/1.1, one
            connection each); %d rounds (after 3 not counted), each committing one lease event over JDBC (as the lease store does
            with a lease change) and waiting until every stream had it. Latency: the event's `at` (stamped in
            the writing transaction) to its `id:` line at the client, same machine clock. Memory: the API's
            RSS and heap used after `jcmd GC.run`, before the streams and with them open.

          | figure | value |
          |---|---|
          | lease change → event at a client, p50 / p95 / max (%d samples) | %d / %d / %d ms |
          | lease change → event at the last of %d clients, median / max of rounds | %d / %d ms |
          | events not delivered | %d |
          | API RSS, no streams → %d streams | %.0f → %.0f MiB (%.1f KiB per stream) |
          | API heap after GC, no streams → %d streams | %.1f → %.1f MiB (%.1f KiB per stream) |
          | API threads, no streams → %d streams | %d → %d |
          """, run.started(), EdgeBench.machine(), streams, rounds, streams, rounds, latencies.size(),
          pct(latencies, 50), pct(latencies, 95), latencies.isEmpty() ? 0 : latencies.get(latencies.size() - 1),
          streams, pct(lastClient, 50), lastClient.isEmpty() ? 0 : lastClient.get(lastClient.size() - 1), missing,
          streams, idle[0] / 1048576.0, busy[0] / 1048576.0, rssPer / 1024, streams, idle[1] / 1048576.0,
          busy[1] / 1048576.0, heapPer / 1024, streams, idle[2], busy[2]);
      System.out.print(section);
      Files.writeString(run.report(), section, StandardOpenOption.APPEND);
    } finally {
      for (CompletableFuture<?> f : open) {
        f.cancel(true);
      }
      proc.destroy();
      proc.waitFor(30, TimeUnit.SECONDS);
    }
    System.exit(0);
  }

  static long pct(List<Long> sorted, int p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
  }

  /** {RSS bytes, heap used bytes after a full GC, live threads} of the API process. */
  static long[] memory(HttpClient http, long pid, String metrics) throws Exception {
    new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
    Thread.sleep(500);
    long rss = 0;
    for (String l : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (l.startsWith("VmRSS:")) {
        rss = Long.parseLong(l.replaceAll("\\D", "")) * 1024;
      }
    }
    String text = http.send(HttpRequest.newBuilder(URI.create(metrics)).GET().build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double heap = 0;
    Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*\\} (\\S+)$").matcher(text);
    while (m.find()) {
      heap += Double.parseDouble(m.group(1));
    }
    Matcher t = Pattern.compile("(?m)^jvm_threads_live_threads(?:\\{[^}]*\\})? (\\S+)$").matcher(text);
    long threads = t.find() ? (long) Double.parseDouble(t.group(1)) : -1;
    return new long[] {rss, (long) heap, threads};
  }
}

package dev.orion.autoscaler.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A stand-in for the API process in tests of the edge: same environment contract
 * ({@code ORION_HTTP_HOST}, {@code ORION_HTTP_PORT}), {@code /api/ready}, {@code /api/health},
 * and {@code /api/burn?ms=N}, which spends N ms of CPU so that load shows in /proc. Every answer
 * names the replica's port, so tests can count requests per replica. On SIGTERM it stops
 * accepting and lets exchanges in progress finish, as the API does.
 */
public final class StandInApi {
  private StandInApi() {}

  public static void main(String[] args) throws IOException {
    String host = env("ORION_HTTP_HOST", "127.0.0.1");
    int port = Integer.parseInt(env("ORION_HTTP_PORT", "8000"));
    HttpServer server = HttpServer.create(new InetSocketAddress(host, port), 128);
    server.setExecutor(Executors.newFixedThreadPool(16));
    String me = Integer.toString(port);
    server.createContext("/api/ready", ex -> answer(ex, 200, me));
    server.createContext("/api/health", ex -> answer(ex, 200, me));
    // Reads whatever body comes, however large, as a careless upstream would: the edge's own
    // body cap is what stops an endless one (EdgeRoutingTest).
    server.createContext("/api/workers/", ex -> {
      ex.getRequestBody().transferTo(OutputStream.nullOutputStream());
      answer(ex, 200, me);
    });
    server.createContext("/api/burn", ex -> {
      long ms = 10;
      String q = ex.getRequestURI().getQuery();
      if (q != null && q.startsWith("ms=")) {
        ms = Long.parseLong(q.substring(3));
      }
      burn(ms);
      answer(ex, 200, me);
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> server.stop(2)));
    server.start();
    System.out.println("stand-in API listening on " + host + ":" + port);
  }

  /** Spins on the CPU; a sleeping handler would show no CPU and never trigger a scale-up. */
  private static void burn(long ms) {
    long end = System.nanoTime() + ms * 1_000_000;
    long x = 0;
    while (System.nanoTime() < end) {
      x += Long.numberOfTrailingZeros(x + end);
    }
    if (x == 42) {
      System.out.print("");
    }
  }

  private static void answer(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    return v == null || v.isBlank() ? fallback : v;
  }
}

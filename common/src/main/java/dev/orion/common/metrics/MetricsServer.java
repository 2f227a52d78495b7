package dev.orion.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process's internal HTTP listener: {@code GET /metrics} (Prometheus text format),
 * {@code GET /health}, and any JSON documents the process adds (the autoscaler's scrape targets).
 * It is a listener of its own, never one a proxy forwards to, so nothing reaches it through the
 * edge. The JDK's server is enough for one scraper every few seconds and needs no dependency.
 */
public final class MetricsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
  private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static MetricsServer start(MetricsConfig config, PrometheusMeterRegistry registry) {
    return start(config, registry, Map.of());
  }

  /** {@code json} maps further paths to documents rendered on each request. */
  public static MetricsServer start(MetricsConfig config, PrometheusMeterRegistry registry,
      Map<String, Supplier<String>> json) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen for metrics on " + config
          + " (ORION_METRICS_HOST, ORION_METRICS_PORT)", e);
    }
    server.createContext("/", exchange -> {
      try (exchange) {
        String path = exchange.getRequestURI().getPath();
        if (!"GET".equals(exchange.getRequestMethod())
            && !"HEAD".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "GET, HEAD");
          send(exchange, 405, "text/plain", "method not allowed\n");
        } else if (path.equals("/metrics")) {
          send(exchange, 200, TEXT_FORMAT, registry.scrape());
        } else if (path.equals("/health")) {
          send(exchange, 200, "application/json", "{\"status\":\"healthy\"}");
        } else if (json.containsKey(path)) {
          send(exchange, 200, "application/json", json.get(path).get());
        } else {
          send(exchange, 404, "text/plain", "not found\n");
        }
      } catch (RuntimeException e) {
        log.error("metrics listener failed on {}", exchange.getRequestURI(), e);
      }
    });
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "metrics-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    log.info("metrics on http://{}:{}/metrics", config.host(), server.getAddress().getPort());
    return new MetricsServer(server, executor);
  }

  private static void send(HttpExchange exchange, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    boolean head = "HEAD".equals(exchange.getRequestMethod());
    exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}

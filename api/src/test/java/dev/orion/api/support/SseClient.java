package dev.orion.api.support;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.http.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A test's event-stream client: the response body read line by line into frames as they arrive. */
public final class SseClient implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** One dispatched event, or a comment line ({@code comment} set, the rest null). */
  public record Frame(Long id, String event, String data, String comment) {
    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(data);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + data, e);
      }
    }
  }

  public final int status;
  public final String contentType;
  public final String body; // of a refused request
  private final InputStream in;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread reader;
  private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);

  private SseClient(HttpResponse<InputStream> r) throws IOException {
    this.status = r.statusCode();
    this.contentType = r.headers().firstValue("Content-Type").orElse("");
    this.in = r.body();
    if (status != 200) {
      body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      reader = null;
      return;
    }
    body = null;
    reader = new Thread(this::read, "sse-client");
    reader.setDaemon(true);
    reader.start();
  }

  public static SseClient open(String url, Map<String, String> headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    headers.forEach(b::header);
    try {
      return new SseClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream()));
    } catch (IOException e) {
      throw new AssertionError("request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public static SseClient bearer(String base, String token, Long lastEventId) {
    return lastEventId == null ? open(base + "/api/events", Map.of("Authorization", "Bearer " + token))
        : open(base + "/api/events", Map.of("Authorization", "Bearer " + token, "Last-Event-ID", lastEventId.toString()));
  }

  private void read() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      Long id = null;
      String event = null;
      StringBuilder data = null;
      String line;
      while ((line = r.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            frames.add(new Frame(id, event, data.toString(), null));
          }
          id = null;
          event = null;
          data = null;
        } else if (line.startsWith(":")) {
          frames.add(new Frame(null, null, null, line.substring(1).strip()));
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder(line.substring(6)) : data.append('\n').append(line.substring(6));
        }
      }
    } catch (IOException e) {
      // closed
    } finally {
      ended.countDown();
    }
  }

  /** Whether the server ended the stream within {@code timeout}. */
  public boolean awaitEnd(Duration timeout) throws InterruptedException {
    return ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next frame (event or comment), waiting up to {@code timeout}; null if none came. */
  public Frame poll(Duration timeout) throws InterruptedException {
    return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Events (comments skipped) up to and including the first that {@code last} matches. */
  public List<Frame> eventsUntil(Predicate<Frame> last, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Frame> got = new ArrayList<>();
    while (true) {
      Frame f = frames.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertNotNull(f, "no matching event within " + timeout + "; got " + got.size() + ", the last: "
          + got.subList(Math.max(0, got.size() - 5), got.size()));
      if (f.comment() != null) {
        continue;
      }
      got.add(f);
      if (last.test(f)) {
        return got;
      }
    }
  }

  @Override
  public void close() {
    try {
      in.close();
    } catch (IOException e) {
      // gone already
    }
  }
}

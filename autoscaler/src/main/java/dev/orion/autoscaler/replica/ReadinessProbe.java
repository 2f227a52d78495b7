package dev.orion.autoscaler.replica;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks a replica's {@code /api/ready} directly (not through Caddy). */
public final class ReadinessProbe {
  /** What a replica's readiness answer says about it. */
  public enum Readiness {
    /** 200: it may serve. */
    READY,
    /**
     * 503 with {@code Retry-After}: alive and waiting for its database. Replacing it would not
     * help (the new one would wait for the same database), so it is kept past the ready timeout.
     */
    WAITING,
    /** Anything else, or no answer: not ready, and replaced after the ready timeout. */
    NOT_READY
  }

  private final HttpClient http;
  private final Duration timeout;

  public ReadinessProbe(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public boolean ready(Replica replica) {
    return check(replica) == Readiness.READY;
  }

  public Readiness check(Replica replica) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + replica.dial() + "/api/ready"))
        .timeout(timeout).GET().build();
    try {
      HttpResponse<Void> r = http.send(req, HttpResponse.BodyHandlers.discarding());
      if (r.statusCode() == 200) {
        return Readiness.READY;
      }
      return r.statusCode() == 503 && r.headers().firstValue("Retry-After").isPresent()
          ? Readiness.WAITING : Readiness.NOT_READY;
    } catch (IOException e) {
      return Readiness.NOT_READY; // not listening yet, or gone: simply not ready
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Readiness.NOT_READY;
    }
  }
}

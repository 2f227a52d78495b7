package dev.orion.autoscaler.replica;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Asks a replica's {@code /api/ready} directly (not through Caddy). */
public final class ReadinessProbe {
  private final HttpClient http;
  private final Duration timeout;

  public ReadinessProbe(Duration timeout) {
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  public boolean ready(Replica replica) {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + replica.dial() + "/api/ready"))
        .timeout(timeout).GET().build();
    try {
      return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false; // not listening yet, or gone: simply not ready
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

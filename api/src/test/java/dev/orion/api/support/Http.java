package dev.orion.api.support;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orion.api.http.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.zip.GZIPInputStream;

/** A small JSON client for talking to a real API server in tests. */
public final class Http {
  private final String base;
  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public Http(String base) {
    this.base = base;
  }

  public record Response(int status, String contentType, String contentEncoding, String body,
      java.net.http.HttpHeaders headers) {
    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public JsonNode json() {
      try {
        return Json.MAPPER.readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }

    public boolean isProblem() {
      return contentType != null && contentType.startsWith("application/problem+json");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  public Response get(String path, String token) {
    return send(builder(path, token).GET());
  }

  public Response post(String path, String token, String body) {
    return send(builder(path, token).header("Content-Type", "application/json")
        .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
  }

  public Response put(String path, String token, String body) {
    return send(builder(path, token).header("Content-Type", "application/json")
        .PUT(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)));
  }

  public Response delete(String path, String token) {
    return send(builder(path, token).DELETE());
  }

  /** GET asking for gzip, as most HTTP clients do; a gzipped body is inflated. */
  public Response getGzip(String path, String token) {
    return send(builder(path, token).header("Accept-Encoding", "gzip").GET());
  }

  public Response send(HttpRequest.Builder b) {
    try {
      HttpResponse<byte[]> r = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      String encoding = r.headers().firstValue("Content-Encoding").orElse(null);
      byte[] body = "gzip".equals(encoding)
          ? new GZIPInputStream(new ByteArrayInputStream(r.body())).readAllBytes()
          : r.body();
      return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), encoding,
          new String(body, StandardCharsets.UTF_8), r.headers());
    } catch (IOException e) {
      throw new AssertionError("request failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  public HttpRequest.Builder builder(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  public static String json(Object value) {
    try {
      return Json.MAPPER.writeValueAsString(value);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

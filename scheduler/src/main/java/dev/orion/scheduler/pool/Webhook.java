package dev.orion.scheduler.pool;

import dev.orion.common.time.Backoff;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A pool's webhook: a JSON body POSTed with its HMAC-SHA256 under the pool's secret in
 * {@value #SIGNATURE_HEADER} ({@code sha256=<hex>}, as GitHub signs), so a receiver can tell
 * Orion's calls from anyone else's. The body carries its delivery id and time, so a receiver can
 * also refuse replays. One attempt per call: retries are the caller's, with {@link #retryDelay}.
 */
public final class Webhook {
  public static final String SIGNATURE_HEADER = "X-Orion-Signature-256";
  public static final String EVENT_HEADER = "X-Orion-Event";
  public static final String DELIVERY_HEADER = "X-Orion-Delivery";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** How one attempt went: the HTTP status, or 0 with the error when there was no answer. */
  public record Outcome(int status, String error) {
    public boolean delivered() {
      return status >= 200 && status < 300;
    }

    /** A 4xx other than 408 and 429 will not change by itself: retrying it only adds noise. */
    public boolean retryable() {
      return !delivered() && (status == 0 || status >= 500 || status == 408 || status == 429);
    }
  }

  private final HttpClient http;

  public Webhook(HttpClient http) {
    this.http = http;
  }

  public static String sign(byte[] secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** For receivers (and tests): whether {@code signature} is {@code body}'s, in constant time. */
  public static boolean verify(byte[] secret, byte[] body, String signature) {
    return signature != null && MessageDigest.isEqual(sign(secret, body).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }

  /** The wait before attempt {@code attempt} (2, 3, …): base × 2^(attempt-2), at most {@code max}. */
  public static Duration retryDelay(int attempt, Duration base, Duration max) {
    return Backoff.doubling(base, max, attempt - 2);
  }

  public Outcome deliver(URI url, byte[] secret, String event, String deliveryId, byte[] body)
      throws InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(url)
        .timeout(TIMEOUT)
        .header("Content-Type", "application/json")
        .header("User-Agent", "orion-webhook")
        .header(EVENT_HEADER, event)
        .header(DELIVERY_HEADER, deliveryId)
        .header(SIGNATURE_HEADER, sign(secret, body))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .build();
    try {
      return new Outcome(http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode(), null);
    } catch (IOException e) {
      return new Outcome(0, e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }
}

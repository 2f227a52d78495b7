package dev.orion.api.alert;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.orion.common.problem.OrionException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Alertmanager's webhook payload, version 4, as far as Orion reads it. Fields Orion does not use
 * (annotations, URLs, common labels, ...) are ignored, so a newer Alertmanager that adds fields
 * still delivers; what Orion reads is checked and a malformed payload is a 400, which
 * Alertmanager does not retry.
 */
public final class AlertRequests {
  private AlertRequests() {}

  private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-fA-F]{1,64}");
  static final int MAX_GROUP_KEY = 1024;

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Payload(
      @JsonProperty("version") String version,
      @JsonProperty("groupKey") String groupKey,
      @JsonProperty("status") String status,
      @JsonProperty("alerts") List<Alert> alerts) {

    void validate() {
      if (!"4".equals(version)) {
        throw OrionException.badRequest("version must be \"4\" (Alertmanager's webhook payload), got "
            + (version == null ? "none" : "\"" + version + "\""));
      }
      if (groupKey == null || groupKey.length() > MAX_GROUP_KEY) {
        throw OrionException.badRequest("groupKey is required, at most " + MAX_GROUP_KEY + " characters");
      }
      if (alerts == null) {
        throw OrionException.badRequest("alerts is required");
      }
      for (int i = 0; i < alerts.size(); i++) {
        Alert a = alerts.get(i);
        if (a == null) {
          throw OrionException.badRequest("alerts[" + i + "] must be an object");
        }
        a.validate("alerts[" + i + "]");
      }
    }
  }

  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Alert(
      @JsonProperty("status") String status,
      @JsonProperty("labels") Map<String, String> labels,
      @JsonProperty("startsAt") Instant startsAt,
      @JsonProperty("fingerprint") String fingerprint) {

    boolean firing() {
      return "firing".equals(status);
    }

    void validate(String where) {
      if (!"firing".equals(status) && !"resolved".equals(status)) {
        throw OrionException.badRequest(where + ".status must be firing or resolved");
      }
      if (labels == null || labels.values().stream().anyMatch(v -> v == null)) {
        throw OrionException.badRequest(where + ".labels must be an object of strings");
      }
      if (startsAt == null) {
        throw OrionException.badRequest(where + ".startsAt is required");
      }
      if (fingerprint == null || !FINGERPRINT.matcher(fingerprint).matches()) {
        throw OrionException.badRequest(where + ".fingerprint must be 1-64 hexadecimal digits");
      }
    }
  }

  /** What the webhook did: alerts applied to a node, and alerts that named no node or class. */
  public record Outcome(int applied, int ignored) {}
}

package dev.orion.api.alert;

import dev.orion.api.http.Json;
import dev.orion.api.http.Routes;
import dev.orion.common.problem.OrionException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;

/** Alertmanager's webhook receiver. */
public final class AlertHandlers implements Routes {
  static final String PATH = "/api/alerts/alertmanager";
  private final AlertService alerts;
  private final Optional<byte[]> token;
  private final long maxBodyBytes;

  public AlertHandlers(AlertService alerts, AlertConfig config) {
    this.alerts = alerts;
    this.token = config.token().map(t -> t.getBytes(StandardCharsets.UTF_8));
    this.maxBodyBytes = config.maxBodyBytes();
  }

  @Override
  public void register(Javalin app) {
    app.post(PATH, this::alertmanager);
  }

  @Override
  public Map<String, Long> largeBodies() {
    return Map.of(PATH, maxBodyBytes);
  }

  @OpenApi(path = PATH, methods = HttpMethod.POST, tags = "alerts", operationId = "receiveAlertmanagerWebhook",
      summary = "Alertmanager webhook (payload version 4): firing alerts about a node set its load class"
          + " and orion.io/* labels until they resolve; bearer ORION_ALERT_TOKEN",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = AlertRequests.Payload.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = AlertRequests.Outcome.class)),
          @OpenApiResponse(status = "400", description = "malformed payload; nothing applied (Alertmanager does not retry)"),
          @OpenApiResponse(status = "401", description = "missing or wrong bearer token, or the webhook is off"),
          @OpenApiResponse(status = "413", description = "body over ORION_ALERT_MAX_BODY")})
  void alertmanager(Context ctx) {
    authorize(ctx);
    ctx.json(alerts.apply(Json.read(ctx, AlertRequests.Payload.class, maxBodyBytes)));
  }

  /** Constant-time comparison; without ORION_ALERT_TOKEN no delivery is accepted. */
  private void authorize(Context ctx) {
    if (token.isEmpty()) {
      throw OrionException.unauthorized("the alert webhook is off: ORION_ALERT_TOKEN is not set");
    }
    String h = ctx.header("Authorization");
    byte[] given = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7)
        ? h.substring(7).trim().getBytes(StandardCharsets.UTF_8) : new byte[0];
    if (!MessageDigest.isEqual(given, token.get())) {
      throw OrionException.unauthorized("invalid alert token");
    }
  }
}

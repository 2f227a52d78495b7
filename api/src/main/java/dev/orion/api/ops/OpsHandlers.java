package dev.orion.api.ops;

import dev.orion.api.http.Routes;
import dev.orion.common.db.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiResponse;

/**
 * Liveness and readiness. Metrics are not here: they are served on the process's internal
 * listener ({@code MetricsServer}), which no proxy forwards to.
 */
public final class OpsHandlers implements Routes {
  private final Database db;

  public OpsHandlers(Database db) {
    this.db = db;
  }

  public record Status(String status) {}

  @Override
  public void register(Javalin app) {
    app.get("/api/health", this::health);
    app.get("/api/ready", this::ready);
  }

  @OpenApi(path = "/api/health", methods = HttpMethod.GET, tags = "ops", summary = "Liveness",
      responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = Status.class)))
  void health(Context ctx) {
    ctx.json(new Status("healthy"));
  }

  @OpenApi(path = "/api/ready", methods = HttpMethod.GET, tags = "ops",
      summary = "Readiness: 200 when the database answers, else 503",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Status.class)),
          @OpenApiResponse(status = "503", content = @OpenApiContent(from = Status.class))})
  void ready(Context ctx) {
    boolean up = db.ping(2);
    ctx.status(up ? 200 : 503).json(new Status(up ? "ready" : "database unavailable"));
  }
}

package dev.orion.api.ops;

import dev.orion.api.http.Routes;
import dev.orion.common.db.Database;
import dev.orion.common.problem.OrionException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiResponse;
import java.time.Duration;

/**
 * Liveness and readiness. Metrics are not here: they are served on the process's internal
 * listener ({@code MetricsServer}), which no proxy forwards to.
 */
public final class OpsHandlers implements Routes {
  /** How long a caller should wait before asking a replica that is still starting again. */
  static final Duration STARTING_RETRY_AFTER = Duration.ofSeconds(5);

  private final Database db;
  private final Startup startup;

  public OpsHandlers(Database db, Startup startup) {
    this.db = db;
    this.startup = startup;
  }

  public record Status(String status) {}

  @Override
  public void register(Javalin app) {
    app.get("/api/health", this::health);
    app.get("/api/ready", this::ready);
    // Until the schema is checked and the admin account exists, nothing else may run: a replica
    // waiting for its database answers 503 instead of half-working (Caddy and the autoscaler
    // send it no traffic anyway, as its readiness is 503 too).
    app.before("/api/*", ctx -> {
      if (!startup.complete() && !ctx.path().equals("/api/ready") && !ctx.path().equals("/api/health")) {
        throw OrionException.unavailable("starting: waiting for the database", STARTING_RETRY_AFTER);
      }
    });
  }

  @OpenApi(path = "/api/health", methods = HttpMethod.GET, tags = "ops", summary = "Liveness",
      responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = Status.class)))
  void health(Context ctx) {
    ctx.json(new Status("healthy"));
  }

  @OpenApi(path = "/api/ready", methods = HttpMethod.GET, tags = "ops",
      summary = "Readiness: 200 when the database answers and start-up is done, else 503",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Status.class)),
          @OpenApiResponse(status = "503", content = @OpenApiContent(from = Status.class))})
  void ready(Context ctx) {
    // Retry-After marks "alive, waiting for the database": the autoscaler keeps such a replica
    // (a new one would wait just the same) instead of replacing it after its ready timeout.
    if (!startup.complete()) {
      ctx.header("Retry-After", Long.toString(STARTING_RETRY_AFTER.toSeconds()));
      ctx.status(503).json(new Status("starting: waiting for the database"));
      return;
    }
    boolean up = db.ping(2);
    if (!up) {
      ctx.header("Retry-After", Long.toString(STARTING_RETRY_AFTER.toSeconds()));
    }
    ctx.status(up ? 200 : 503).json(new Status(up ? "ready" : "database unavailable"));
  }
}

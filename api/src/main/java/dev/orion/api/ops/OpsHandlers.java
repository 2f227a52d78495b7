package dev.orion.api.ops;

import dev.orion.api.http.Routes;
import dev.orion.common.db.Database;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiResponse;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** Liveness, readiness and metrics. */
public final class OpsHandlers implements Routes {
  private final Database db;
  private final PrometheusMeterRegistry metrics;

  public OpsHandlers(Database db, PrometheusMeterRegistry metrics) {
    this.db = db;
    this.metrics = metrics;
    new JvmMemoryMetrics().bindTo(metrics);
    new JvmThreadMetrics().bindTo(metrics);
    new ProcessorMetrics().bindTo(metrics);
    new JvmGcMetrics().bindTo(metrics);
  }

  public record Status(String status) {}

  @Override
  public void register(Javalin app) {
    app.get("/api/health", this::health);
    app.get("/api/ready", this::ready);
    app.get("/metrics", this::metrics);
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

  @OpenApi(path = "/metrics", methods = HttpMethod.GET, tags = "ops", summary = "Prometheus metrics")
  void metrics(Context ctx) {
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }
}

package dev.orion.api.http;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson;
import io.javalin.openapi.plugin.OpenApiPlugin;
import io.javalin.openapi.plugin.swagger.SwaggerPlugin;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Javalin configured the Orion way: strict JSON, 64 KiB bodies, problem+json, docs and metrics. */
public final class HttpServer {
  public static final long MAX_BODY_BYTES = 64 * 1024;

  private HttpServer() {}

  public static Javalin create(MeterRegistry metrics, Routes... features) {
    Javalin app = Javalin.create(config -> {
      config.showJavalinBanner = false;
      config.jetty.modifyServer(server -> server.setErrorHandler(new ProblemErrorHandler()));
      // Jetty waits for the first body bytes before it dispatches a request (until its idle
      // timeout when none come): a body declared too large must be refused at once, unread.
      config.jetty.modifyHttpConfiguration(http -> http.setDelayDispatchUntilContent(false));
      config.http.maxRequestSize = MAX_BODY_BYTES;
      config.http.defaultContentType = "application/json";
      config.jsonMapper(new JavalinJackson(Json.MAPPER, false));
      config.registerPlugin(new OpenApiPlugin(openapi -> openapi
          .withDocumentationPath("/openapi")
          .withDefinitionConfiguration((version, definition) -> definition
              .withInfo(info -> {
                info.setTitle("Orion");
                info.setDescription("Control plane for leased worker pools");
                info.setVersion("1");
              })
              .withDefinitionProcessor(new OpenApiContract(new OpenApiSnakeCase())))));
      config.registerPlugin(new SwaggerPlugin(swagger -> {
        swagger.setUiPath("/docs");
        swagger.setDocumentationPath("/openapi");
      }));
      config.requestLogger.http((ctx, ms) -> Timer.builder("orion_http_requests")
          .description("HTTP requests answered by this API replica, by route and status")
          .tag("method", ctx.method().name())
          .tag("route", route(ctx))
          .tag("status", Integer.toString(ctx.statusCode()))
          .register(metrics)
          .record(Duration.ofNanos((long) (ms * 1_000_000))));
    });
    ProblemMapper.install(app);
    // A body declared larger than the limit is refused before anything else (even the token
    // check) and never read; chunked bodies are bounded where they are read (Json.read).
    Map<String, Long> limits = new HashMap<>();
    for (Routes f : features) {
      limits.putAll(f.largeBodies());
    }
    app.before(ctx -> {
      long limit = limits.getOrDefault(ctx.path(), MAX_BODY_BYTES);
      if (ctx.req().getContentLengthLong() > limit) {
        throw Json.tooLarge(limit);
      }
    });
    for (Routes f : features) {
      f.register(app);
    }
    return app;
  }

  /** The matched route pattern (ids folded together), or "unmatched" for unknown paths. */
  private static String route(Context ctx) {
    return ctx.handlerType() == HandlerType.BEFORE ? "unmatched" : ctx.endpointHandlerPath();
  }
}

package dev.orion.api.rental;

import dev.orion.api.auth.Guard;
import dev.orion.api.http.Json;
import dev.orion.api.http.Message;
import dev.orion.api.http.PathIds;
import dev.orion.api.http.Routes;
import dev.orion.common.problem.OrionException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Rent, release, extend, list, reset. */
public final class RentalHandlers implements Routes {
  private final RentalService rentals;
  private final Guard guard;
  private final MeterRegistry metrics;

  public RentalHandlers(RentalService rentals, Guard guard, MeterRegistry metrics) {
    this.rentals = rentals;
    this.guard = guard;
    this.metrics = metrics;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/rent", this::rent);
    app.post("/api/release/{rental_id}", this::release);
    app.post("/api/extend/{rental_id}", this::extend);
    app.get("/api/rentals", this::list);
    app.get("/api/rentals/{rental_id}", this::get);
    app.post("/api/reset", this::reset);
  }

  @OpenApi(path = "/api/rent", methods = HttpMethod.POST, tags = "rentals",
      summary = "Rent count workers for a fixed time, all or nothing; returns SSH credentials",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = RentRequests.Rent.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = RentalViews.Credentials[].class)),
          @OpenApiResponse(status = "400", description = "invalid duration, count or credentials"),
          @OpenApiResponse(status = "409", description = "not enough free workers; nothing allocated"),
          @OpenApiResponse(status = "502", description = "a worker could not be provisioned; nothing allocated")})
  void rent(Context ctx) {
    Timer.Sample started = Timer.start(metrics);
    String outcome = "failed";
    try {
      var caller = guard.user(ctx);
      ctx.status(201).json(rentals.rent(caller, Json.read(ctx, RentRequests.Rent.class)));
      outcome = "rented";
    } catch (OrionException e) {
      outcome = e.status() < 500 ? "refused" : "failed";
      throw e;
    } finally {
      started.stop(rentTimer(outcome));
    }
  }

  /** Buckets around what a rent costs: ~20 ms allocation, then SSH provisioning per worker. */
  private Timer rentTimer(String outcome) {
    return Timer.builder("orion_rent_duration")
        .description("Time to answer POST /api/rent, provisioning included, by outcome")
        .tag("outcome", outcome)
        .serviceLevelObjectives(Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
            Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30))
        .register(metrics);
  }

  @OpenApi(path = "/api/release/{rental_id}", methods = HttpMethod.POST, tags = "rentals",
      summary = "End a lease now and remove the client user",
      pathParams = @OpenApiParam(name = "rental_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "404", description = "no such lease of the caller's"),
          @OpenApiResponse(status = "409", description = "the lease already ended")})
  void release(Context ctx) {
    var caller = guard.user(ctx);
    rentals.release(caller, PathIds.of(ctx, "rental_id"));
    ctx.json(new Message("Lease released"));
  }

  @OpenApi(path = "/api/extend/{rental_id}", methods = HttpMethod.POST, tags = "rentals",
      summary = "Push a live lease's end back",
      pathParams = @OpenApiParam(name = "rental_id", type = Long.class, required = true),
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = RentRequests.Extend.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = RentalViews.Extended.class)),
          @OpenApiResponse(status = "404", description = "no such lease of the caller's"),
          @OpenApiResponse(status = "409", description = "the lease ended or expired")})
  void extend(Context ctx) {
    var caller = guard.user(ctx);
    long id = PathIds.of(ctx, "rental_id");
    ctx.json(rentals.extend(caller, id, Json.read(ctx, RentRequests.Extend.class)));
  }

  @OpenApi(path = "/api/rentals", methods = HttpMethod.GET, tags = "rentals",
      summary = "The caller's live leases (all=true adds ended ones; admins see everyone's)",
      queryParams = @OpenApiParam(name = "all", type = Boolean.class),
      responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = RentalViews.Rental[].class)))
  void list(Context ctx) {
    var caller = guard.user(ctx);
    String all = ctx.queryParam("all");
    if (all != null && !all.equals("true") && !all.equals("false")) {
      throw OrionException.badRequest("all must be true or false");
    }
    ctx.json(rentals.list(caller, "true".equals(all)));
  }

  @OpenApi(path = "/api/rentals/{rental_id}", methods = HttpMethod.GET, tags = "rentals",
      summary = "One lease: where it runs now, its status and its history",
      pathParams = @OpenApiParam(name = "rental_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = RentalViews.Detail.class)),
          @OpenApiResponse(status = "404", description = "no such lease of the caller's")})
  void get(Context ctx) {
    var caller = guard.user(ctx);
    ctx.json(rentals.get(caller, PathIds.of(ctx, "rental_id")));
  }

  @OpenApi(path = "/api/reset", methods = HttpMethod.POST, tags = "rentals",
      summary = "End every lease, remove every client user, free every node (admin)",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "403", description = "not an admin")})
  void reset(Context ctx) {
    rentals.reset(guard.admin(ctx));
    ctx.json(new Message("DB reset OK"));
  }
}

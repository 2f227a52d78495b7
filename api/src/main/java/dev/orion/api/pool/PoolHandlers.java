package dev.orion.api.pool;

import dev.orion.api.auth.Guard;
import dev.orion.api.http.Json;
import dev.orion.api.http.Routes;
import dev.orion.common.problem.OrionException;
import dev.orion.common.schedule.Action;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;

/** Pools: the list, their settings, and manual wake and sleep. */
public final class PoolHandlers implements Routes {
  private final PoolService pools;
  private final Guard guard;

  public PoolHandlers(PoolService pools, Guard guard) {
    this.pools = pools;
    this.guard = guard;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/pools", this::list);
    app.get("/api/pools/{pool}", this::get);
    app.put("/api/pools/{pool}", this::put);
    app.post("/api/pools/{pool}/wake", this::wake);
    app.post("/api/pools/{pool}/sleep", this::sleep);
  }

  @OpenApi(path = "/api/pools", methods = HttpMethod.GET, tags = "pools", operationId = "listPools",
      summary = "Every pool: node counts by state, schedule, desired state, next transition, overrides,"
          + " node-hours saved in the last 7 days; admins also see each pool's settings",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = PoolViews.Pool[].class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token")})
  void list(Context ctx) {
    ctx.json(pools.list(guard.user(ctx)));
  }

  @OpenApi(path = "/api/pools/{pool}", methods = HttpMethod.GET, tags = "pools", operationId = "getPool",
      summary = "One pool", pathParams = @OpenApiParam(name = "pool", type = String.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = PoolViews.Pool.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such pool")})
  void get(Context ctx) {
    ctx.json(pools.get(guard.user(ctx), pool(ctx)));
  }

  @OpenApi(path = "/api/pools/{pool}", methods = HttpMethod.PUT, tags = "pools", operationId = "putPool",
      summary = "Set a pool's driver, grace period, user_wake_minutes, webhooks and ArgoCD applications (admin)",
      pathParams = @OpenApiParam(name = "pool", type = String.class, required = true),
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = PoolRequests.Settings.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = PoolViews.Pool.class)),
          @OpenApiResponse(status = "400", description = "invalid settings; detail names the field"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only")})
  void put(Context ctx) {
    var admin = guard.admin(ctx);
    ctx.json(pools.put(admin, ctx.pathParam("pool"), Json.read(ctx, PoolRequests.Settings.class)));
  }

  @OpenApi(path = "/api/pools/{pool}/wake", methods = HttpMethod.POST, tags = "pools", operationId = "wakePool",
      summary = "Wake a pool for for_minutes (admins; users up to the pool's user_wake_minutes)",
      pathParams = @OpenApiParam(name = "pool", type = String.class, required = true),
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = PoolRequests.OverrideBody.class), required = true),
      responses = {
          @OpenApiResponse(status = "202", content = @OpenApiContent(from = PoolViews.Pool.class)),
          @OpenApiResponse(status = "400", description = "invalid for_minutes, or a protected pool"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "not allowed to wake this pool for that long"),
          @OpenApiResponse(status = "404", description = "no such pool"),
          @OpenApiResponse(status = "409", description = "a user's wake while another override is in force")})
  void wake(Context ctx) {
    override(ctx, Action.WAKE);
  }

  @OpenApi(path = "/api/pools/{pool}/sleep", methods = HttpMethod.POST, tags = "pools", operationId = "sleepPool",
      summary = "Put a pool to sleep for for_minutes (admin); leased workers sleep when their lease ends",
      pathParams = @OpenApiParam(name = "pool", type = String.class, required = true),
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = PoolRequests.OverrideBody.class), required = true),
      responses = {
          @OpenApiResponse(status = "202", content = @OpenApiContent(from = PoolViews.Pool.class)),
          @OpenApiResponse(status = "400", description = "invalid for_minutes, or a protected pool"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "404", description = "no such pool")})
  void sleep(Context ctx) {
    override(ctx, Action.SLEEP);
  }

  private void override(Context ctx, Action action) {
    var caller = guard.user(ctx);
    String pool = pool(ctx);
    ctx.status(202).json(pools.override(caller, pool, action, Json.read(ctx, PoolRequests.OverrideBody.class)));
  }

  /** A path that cannot name a pool names no pool: 404, like an unknown id. */
  private static String pool(Context ctx) {
    String pool = ctx.pathParam("pool");
    if (!PoolName.valid(pool)) {
      throw OrionException.notFound("no pool '" + pool + "'");
    }
    return pool;
  }
}

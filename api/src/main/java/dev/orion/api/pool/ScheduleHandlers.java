package dev.orion.api.pool;

import dev.orion.api.auth.Guard;
import dev.orion.api.http.Json;
import dev.orion.api.http.PathIds;
import dev.orion.api.http.Routes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;

/**
 * Pool schedules under Orion's paths ({@code /api/schedules}, by id) and the workload
 * scheduler's own ({@code /api/schedule}, by pool), so its clients work unchanged.
 */
public final class ScheduleHandlers implements Routes {
  private final ScheduleService schedules;
  private final Guard guard;

  public ScheduleHandlers(ScheduleService schedules, Guard guard) {
    this.schedules = schedules;
    this.guard = guard;
  }

  @Override
  public void register(Javalin app) {
    app.get("/api/schedules", this::list);
    app.post("/api/schedules", this::create);
    app.post("/api/schedules/preview", this::preview);
    app.get("/api/schedules/{schedule_id}", this::get);
    app.put("/api/schedules/{schedule_id}", this::replace);
    app.delete("/api/schedules/{schedule_id}", this::delete);
    app.put("/api/schedules/{schedule_id}/remove-crons", this::removeCrons);
    app.post("/api/schedule", this::createCompat);
    app.get("/api/schedule/{pool}", this::ofPool);
    app.put("/api/schedule/{pool}/remove-crons", this::removeCronsOfPool);
  }

  @OpenApi(path = "/api/schedules", methods = HttpMethod.GET, tags = "schedules", operationId = "listSchedules",
      summary = "Every pool schedule, each with its next five transitions",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Schedule[].class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token")})
  void list(Context ctx) {
    guard.user(ctx);
    ctx.json(schedules.list());
  }

  @OpenApi(path = "/api/schedules", methods = HttpMethod.POST, tags = "schedules", operationId = "createSchedule",
      summary = "Give a pool a schedule (admin): cron_start and cron_stop, or uptime and holidays",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = ScheduleRequests.Body.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "400", description = "invalid schedule; detail names the field and the expected form"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "409", description = "the pool already has a schedule")})
  void create(Context ctx) {
    guard.admin(ctx);
    ctx.status(201).json(schedules.create(Json.read(ctx, ScheduleRequests.Body.class)));
  }

  @OpenApi(path = "/api/schedules/preview", methods = HttpMethod.POST, tags = "schedules",
      operationId = "previewSchedule",
      summary = "Check a schedule without saving it: its next five transitions on its own clock, or why it is invalid",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = ScheduleRequests.Body.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Preview.class)),
          @OpenApiResponse(status = "400", description = "invalid schedule; detail names the field and the expected form"),
          @OpenApiResponse(status = "401", description = "missing or invalid token")})
  void preview(Context ctx) {
    guard.user(ctx);
    ctx.json(schedules.preview(Json.read(ctx, ScheduleRequests.Body.class)));
  }

  @OpenApi(path = "/api/schedules/{schedule_id}", methods = HttpMethod.GET, tags = "schedules",
      operationId = "getSchedule", summary = "One schedule and its next five transitions",
      pathParams = @OpenApiParam(name = "schedule_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such schedule")})
  void get(Context ctx) {
    guard.user(ctx);
    ctx.json(schedules.get(PathIds.of(ctx, "schedule_id")));
  }

  @OpenApi(path = "/api/schedules/{schedule_id}", methods = HttpMethod.PUT, tags = "schedules",
      operationId = "replaceSchedule", summary = "Replace a schedule (admin)",
      pathParams = @OpenApiParam(name = "schedule_id", type = Long.class, required = true),
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = ScheduleRequests.Body.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "400", description = "invalid schedule"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "404", description = "no such schedule"),
          @OpenApiResponse(status = "409", description = "the new pool already has a schedule")})
  void replace(Context ctx) {
    guard.admin(ctx);
    long id = PathIds.of(ctx, "schedule_id");
    ctx.json(schedules.replace(id, Json.read(ctx, ScheduleRequests.Body.class)));
  }

  @OpenApi(path = "/api/schedules/{schedule_id}", methods = HttpMethod.DELETE, tags = "schedules",
      operationId = "deleteSchedule", summary = "Delete a schedule (admin); the pool stays as it is",
      pathParams = @OpenApiParam(name = "schedule_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "204"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "404", description = "no such schedule")})
  void delete(Context ctx) {
    guard.admin(ctx);
    schedules.delete(PathIds.of(ctx, "schedule_id"));
    ctx.status(204);
  }

  @OpenApi(path = "/api/schedules/{schedule_id}/remove-crons", methods = HttpMethod.PUT, tags = "schedules",
      operationId = "removeScheduleCrons",
      summary = "Remove a schedule's crons or working hours (admin): it stays, NOT_SCHEDULED",
      pathParams = @OpenApiParam(name = "schedule_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "404", description = "no such schedule")})
  void removeCrons(Context ctx) {
    guard.admin(ctx);
    ctx.json(schedules.removeCrons(PathIds.of(ctx, "schedule_id")));
  }

  @OpenApi(path = "/api/schedule", methods = HttpMethod.POST, tags = "schedules",
      operationId = "createScheduleCompat", summary = "Same as POST /api/schedules (workload scheduler path)",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = ScheduleRequests.Body.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "400", description = "invalid schedule"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "409", description = "the pool already has a schedule")})
  void createCompat(Context ctx) {
    create(ctx);
  }

  @OpenApi(path = "/api/schedule/{pool}", methods = HttpMethod.GET, tags = "schedules",
      operationId = "getScheduleOfPool", summary = "The schedule of a pool (workload scheduler path)",
      pathParams = @OpenApiParam(name = "pool", type = String.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "the pool has no schedule")})
  void ofPool(Context ctx) {
    guard.user(ctx);
    ctx.json(schedules.ofPool(ctx.pathParam("pool")));
  }

  @OpenApi(path = "/api/schedule/{pool}/remove-crons", methods = HttpMethod.PUT, tags = "schedules",
      operationId = "removeScheduleCronsOfPool",
      summary = "Remove the crons of a pool's schedule (admin; workload scheduler path)",
      pathParams = @OpenApiParam(name = "pool", type = String.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = ScheduleViews.Schedule.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "403", description = "admin only"),
          @OpenApiResponse(status = "404", description = "the pool has no schedule")})
  void removeCronsOfPool(Context ctx) {
    guard.admin(ctx);
    ctx.json(schedules.removeCrons(ctx.pathParam("pool")));
  }
}

package dev.orion.api.job;

import dev.orion.api.auth.Guard;
import dev.orion.api.auth.Principal;
import dev.orion.api.http.Json;
import dev.orion.api.http.Message;
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
import java.util.function.BiFunction;

/** Cron jobs (SimpleJob's {@code /scheduled}): a job made on a cron, mutable, owner only. */
public final class ScheduledHandlers implements Routes {
  private final ScheduledService scheduled;
  private final Guard guard;

  public ScheduledHandlers(ScheduledService scheduled, Guard guard) {
    this.scheduled = scheduled;
    this.guard = guard;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/scheduled", this::create);
    app.get("/api/scheduled", this::list);
    app.get("/api/scheduled/{scheduled_id}", this::get);
    app.put("/api/scheduled/{scheduled_id}", this::replace);
    app.delete("/api/scheduled/{scheduled_id}", this::delete);
    app.get("/api/scheduled/{scheduled_id}/jobs", this::jobs);
  }

  @OpenApi(path = "/api/scheduled", methods = HttpMethod.POST, tags = "jobs", operationId = "createScheduled",
      summary = "Run a job on a cron (5 fields, in an IANA time zone); a SimpleJob body with cron is accepted",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = JobRequests.ScheduledBody.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = JobViews.ScheduledJob.class)),
          @OpenApiResponse(status = "400", description = "invalid cron job; detail names the field"),
          @OpenApiResponse(status = "401", description = "missing or invalid token")})
  void create(Context ctx) {
    var caller = guard.user(ctx);
    ctx.status(201).json(scheduled.create(caller, Json.read(ctx, JobRequests.ScheduledBody.class)));
  }

  @OpenApi(path = "/api/scheduled", methods = HttpMethod.GET, tags = "jobs", operationId = "listScheduled",
      summary = "The caller's cron jobs (admins: everyone's), each with its next five fire times",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.ScheduledJob[].class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token")})
  void list(Context ctx) {
    ctx.json(scheduled.list(guard.user(ctx)));
  }

  @OpenApi(path = "/api/scheduled/{scheduled_id}", methods = HttpMethod.GET, tags = "jobs",
      operationId = "getScheduled", summary = "One cron job and its next five fire times (UTC and local)",
      pathParams = @OpenApiParam(name = "scheduled_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.ScheduledJob.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such cron job of the caller's")})
  void get(Context ctx) {
    answerOne(ctx, scheduled::get);
  }

  @OpenApi(path = "/api/scheduled/{scheduled_id}", methods = HttpMethod.PUT, tags = "jobs",
      operationId = "replaceScheduled", summary = "Replace a cron job (all but its name), with the rules of a create",
      pathParams = @OpenApiParam(name = "scheduled_id", type = Long.class, required = true),
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = JobRequests.ScheduledBody.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.ScheduledJob.class)),
          @OpenApiResponse(status = "400", description = "invalid cron job, or a new name"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such cron job of the caller's")})
  void replace(Context ctx) {
    answerOne(ctx, (caller, id) -> scheduled.replace(caller, id, Json.read(ctx, JobRequests.ScheduledBody.class)));
  }

  @OpenApi(path = "/api/scheduled/{scheduled_id}", methods = HttpMethod.DELETE, tags = "jobs",
      operationId = "deleteScheduled",
      summary = "Delete a cron job with its finished jobs; its pending and running jobs are cancelled",
      pathParams = @OpenApiParam(name = "scheduled_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such cron job of the caller's")})
  void delete(Context ctx) {
    answerOne(ctx, scheduled::delete);
  }

  @OpenApi(path = "/api/scheduled/{scheduled_id}/jobs", methods = HttpMethod.GET, tags = "jobs",
      operationId = "listScheduledJobs", summary = "The jobs a cron job created that are kept, newest first",
      pathParams = @OpenApiParam(name = "scheduled_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.JobSummary[].class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such cron job of the caller's")})
  void jobs(Context ctx) {
    answerOne(ctx, scheduled::jobs);
  }

  /** An operation on one of the caller's cron jobs: the caller first (401), then the path id (404). */
  private void answerOne(Context ctx, BiFunction<Principal, Long, ?> operation) {
    var caller = guard.user(ctx);
    ctx.json(operation.apply(caller, PathIds.of(ctx, "scheduled_id")));
  }
}

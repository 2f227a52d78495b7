package dev.orion.api.job;

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
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Run-once jobs (SimpleJob-compatible bodies too), their logs, and SimpleJob's {@code /healthz}. */
public final class JobHandlers implements Routes {
  private static final Logger LOG = LoggerFactory.getLogger(JobHandlers.class);
  static final String TEXT = "text/plain; charset=utf-8";
  /** Which attempt a log answer is of (0: the job has none yet). */
  static final String ATTEMPT_HEADER = "X-Orion-Attempt";
  /** What the attempt wrote in all; more than the body holds when the cap cut it. */
  static final String BYTES_HEADER = "X-Orion-Log-Bytes";
  static final String CAP_HEADER = "X-Orion-Log-Cap";

  private final JobService jobs;
  private final Guard guard;

  public JobHandlers(JobService jobs, Guard guard) {
    this.jobs = jobs;
    this.guard = guard;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/jobs", this::create);
    app.get("/api/jobs", this::list);
    app.get("/api/jobs/{job_id}", this::get);
    app.delete("/api/jobs/{job_id}", this::cancel);
    app.get("/api/jobs/{job_id}/logs", this::logs);
    app.get("/healthz", this::healthz);
  }

  @OpenApi(path = "/api/jobs", methods = HttpMethod.POST, tags = "jobs", operationId = "createJob",
      summary = "Run a command once on a worker of a pool, or on one of the caller's leases (rental_id);"
          + " a SimpleJob body (namespace, containers, maxRetries) is accepted as it is",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = JobRequests.JobBody.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = JobViews.JobCreated.class)),
          @OpenApiResponse(status = "400", description = "invalid job (detail names the field), an unknown pool, or"
              + " an image for a pool none of whose workers runs containers"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "rental_id is not a live lease of the caller's")})
  void create(Context ctx) {
    var caller = guard.user(ctx);
    ctx.status(201).json(jobs.create(caller, Json.read(ctx, JobRequests.JobBody.class)));
  }

  @OpenApi(path = "/api/jobs", methods = HttpMethod.GET, tags = "jobs", operationId = "listJobs",
      summary = "The caller's jobs, newest first, at most 1000 (admins: everyone's)",
      queryParams = @OpenApiParam(name = "status", type = String.class,
          description = "pending, running, succeeded, failed or cancelled"),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.JobSummary[].class)),
          @OpenApiResponse(status = "400", description = "unknown status"),
          @OpenApiResponse(status = "401", description = "missing or invalid token")})
  void list(Context ctx) {
    var caller = guard.user(ctx);
    ctx.json(jobs.list(caller, ctx.queryParam("status")));
  }

  @OpenApi(path = "/api/jobs/{job_id}", methods = HttpMethod.GET, tags = "jobs", operationId = "getJob",
      summary = "One job: status and reason, every attempt (node, times, exit code, reason) and its history",
      pathParams = @OpenApiParam(name = "job_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.JobDetail.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such job of the caller's")})
  void get(Context ctx) {
    var caller = guard.user(ctx);
    ctx.json(jobs.get(caller, PathIds.of(ctx, "job_id")));
  }

  @OpenApi(path = "/api/jobs/{job_id}", methods = HttpMethod.DELETE, tags = "jobs", operationId = "cancelJob",
      summary = "Cancel a job: a pending one at once (200); a running one is killed by its scheduler (202)",
      pathParams = @OpenApiParam(name = "job_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "202", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such job of the caller's"),
          @OpenApiResponse(status = "409", description = "the job already finished")})
  void cancel(Context ctx) {
    var caller = guard.user(ctx);
    JobService.Cancel c = jobs.cancel(caller, PathIds.of(ctx, "job_id"));
    ctx.status(c.status()).json(new Message(c.message()));
  }

  @OpenApi(path = "/api/jobs/{job_id}/logs", methods = HttpMethod.GET, tags = "jobs", operationId = "getJobLogs",
      summary = "An attempt's stdout and stderr (the first 1 MiB; a last line says when more was written)",
      pathParams = @OpenApiParam(name = "job_id", type = Long.class, required = true),
      queryParams = {
          @OpenApiParam(name = "attempt", type = Integer.class, description = "1, 2, ...; default the latest"),
          @OpenApiParam(name = "follow", type = Boolean.class,
              description = "true: stream the output as it comes until the attempt ends")},
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = String.class, type = "text/plain")),
          @OpenApiResponse(status = "400", description = "attempt or follow malformed"),
          @OpenApiResponse(status = "401", description = "missing or invalid token"),
          @OpenApiResponse(status = "404", description = "no such job of the caller's, or no such attempt"),
          @OpenApiResponse(status = "429", description = "too many logs followed on this replica right now")})
  void logs(Context ctx) throws IOException {
    var caller = guard.user(ctx);
    long id = PathIds.of(ctx, "job_id");
    Integer attempt = attempt(ctx.queryParam("attempt"));
    boolean follow = flag("follow", ctx.queryParam("follow"));
    ctx.header(CAP_HEADER, Long.toString(JobService.LOG_CAP));
    if (!follow) {
      JobService.Log log = jobs.log(caller, id, attempt);
      ctx.header(ATTEMPT_HEADER, Integer.toString(log.attempt()));
      ctx.header(BYTES_HEADER, Long.toString(log.logBytes()));
      byte[] tail = log.truncated() ? capLine(log.data().length, log.logBytes()) : new byte[0];
      byte[] body = new byte[log.data().length + tail.length];
      System.arraycopy(log.data(), 0, body, 0, log.data().length);
      System.arraycopy(tail, 0, body, log.data().length, tail.length);
      ctx.contentType(TEXT).result(body);
      return;
    }
    HttpServletResponse res = ctx.res();
    ServletOutputStream[] out = new ServletOutputStream[1];
    try {
      JobService.Followed end = jobs.follow(caller, id, attempt, new JobService.Sink() {
        @Override
        public void start(int n) throws IOException {
          res.setStatus(200);
          res.setContentType(TEXT);
          res.setHeader(ATTEMPT_HEADER, Integer.toString(n));
          out[0] = res.getOutputStream();
          res.flushBuffer();
        }

        @Override
        public void write(byte[] data) throws IOException {
          out[0].write(data);
          out[0].flush();
        }
      });
      if (end.truncated()) {
        out[0].write(capLine(end.written(), end.logBytes()));
      }
      out[0].flush();
    } catch (IOException e) {
      LOG.debug("job {}: log follower left: {}", id, e.toString());
    }
  }

  /** The line that states the cap, after a cut log. */
  static byte[] capLine(long kept, long written) {
    return ("\n[orion] output truncated: the first " + kept + " of " + written + " bytes are kept (cap "
        + JobService.LOG_CAP + " bytes per attempt)\n").getBytes(StandardCharsets.UTF_8);
  }

  @OpenApi(path = "/healthz", methods = HttpMethod.GET, tags = "jobs", operationId = "healthz",
      summary = "SimpleJob's liveness answer",
      responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = JobViews.Healthz.class)))
  void healthz(Context ctx) {
    ctx.json(new JobViews.Healthz("ok", 200));
  }

  static Integer attempt(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // falls through
    }
    throw OrionException.badRequest("attempt must be a whole number from 1");
  }

  static boolean flag(String name, String raw) {
    if (raw == null || raw.equals("false")) {
      return false;
    }
    if (raw.equals("true")) {
      return true;
    }
    throw OrionException.badRequest(name + " must be true or false");
  }
}

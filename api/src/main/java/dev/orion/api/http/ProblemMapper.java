package dev.orion.api.http;

import dev.orion.common.problem.OrionException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single place where failures become RFC 9457 {@code application/problem+json}: domain
 * exceptions, Javalin's own HTTP exceptions (oversized bodies, ...), unknown routes and anything
 * unexpected. 4xx are logged at DEBUG, 5xx at ERROR.
 */
public final class ProblemMapper {
  private static final Logger LOG = LoggerFactory.getLogger(ProblemMapper.class);
  private static final String WRITTEN = "orion.problem";

  private ProblemMapper() {}

  public static void install(Javalin app) {
    app.exception(OrionException.class, (e, ctx) -> {
      if (e.retryAfter() != null) {
        // Rounded up: a client that waits exactly this long must not be refused again.
        ctx.header("Retry-After", Long.toString(Math.max(1, (e.retryAfter().toMillis() + 999) / 1000)));
      }
      write(ctx, e.status(), e.title(), e.detail(), e);
    });
    app.exception(HttpResponseException.class, (e, ctx) -> {
      int status = e.getStatus();
      String detail = status == 413 ? Json.tooLarge().detail() : e.getMessage();
      write(ctx, status, io.javalin.http.HttpStatus.forStatus(status).getMessage(), detail, e);
    });
    app.exception(Exception.class, (e, ctx) -> {
      if (isTransient(e)) {
        // Lock waits and deadlocks that outlasted the retries: contention, not a bug; try again.
        ctx.header("Retry-After", "1");
        write(ctx, 503, "Service Unavailable", "the database is busy; retry shortly", e);
      } else {
        write(ctx, 500, "Internal Server Error", "unexpected error; see the server log", e);
      }
    });
    // Unknown routes and methods reach here without an exception; bodies already written stay.
    app.error(404, ctx -> unlessWritten(ctx, "Not Found", "no such resource: " + ctx.path()));
    app.error(405, ctx -> unlessWritten(ctx, "Method Not Allowed", ctx.method() + " is not allowed on " + ctx.path()));
  }

  private static boolean isTransient(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransientException
          || t instanceof java.sql.SQLException sql && (sql.getErrorCode() == 1205 || sql.getErrorCode() == 1213)) {
        return true;
      }
    }
    return false;
  }

  private static void unlessWritten(Context ctx, String title, String detail) {
    if (ctx.attribute(WRITTEN) == null) {
      write(ctx, ctx.statusCode(), title, detail, null);
    }
  }

  static void write(Context ctx, int status, String title, String detail, Throwable e) {
    if (status >= 500) {
      LOG.error("{} {} -> {}: {}", ctx.method(), ctx.path(), status, detail, e);
    } else {
      LOG.debug("{} {} -> {}: {}", ctx.method(), ctx.path(), status, detail);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("type", "about:blank");
    body.put("title", title);
    body.put("status", status);
    body.put("detail", detail);
    body.put("instance", ctx.path());
    ctx.attribute(WRITTEN, true);
    ctx.status(status)
        .contentType("application/problem+json")
        .result(toJson(body));
  }

  private static String toJson(Object body) {
    try {
      return Json.MAPPER.writeValueAsString(body);
    } catch (Exception e) {
      return "{\"type\":\"about:blank\",\"title\":\"Internal Server Error\",\"status\":500}";
    }
  }
}

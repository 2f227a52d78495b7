package dev.orion.api.event;

import dev.orion.api.auth.Guard;
import dev.orion.api.http.Routes;
import dev.orion.common.problem.OrionException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiParam;
import io.javalin.openapi.OpenApiResponse;

/**
 * {@code GET /api/events}: the fleet's event log as Server-Sent Events.
 *
 * <p>Not Javalin's {@code app.sse}: its client writes with blocking I/O on the caller's thread, so
 * one stalled client would stall the reader that feeds every stream, and it only answers requests
 * whose {@code Accept} is exactly {@code text/event-stream} (a bare {@code curl -N} would get an
 * empty 200). Here the handler authenticates first (errors stay problem+json), then the stream is
 * written with the servlet's non-blocking output ({@link SseStream}).
 */
public final class EventHandlers implements Routes {
  public static final String PATH = "/api/events";
  private final EventHub hub;
  private final Guard guard;

  public EventHandlers(EventHub hub, Guard guard) {
    this.hub = hub;
    this.guard = guard;
  }

  @Override
  public void register(Javalin app) {
    app.get(PATH, this::events);
  }

  @OpenApi(path = PATH, methods = HttpMethod.GET, tags = "events", operationId = "streamEvents",
      summary = "Live events as Server-Sent Events (id, event: lease|node|pool|load|job|schedule, data)",
      description = "Each event is `id: N`, `event: <kind>`, `data: <JSON>`; a comment line keeps an idle stream"
          + " open (every 15 s). Reconnect with `Last-Event-ID: N` (EventSource does) or `?last_event_id=N` to"
          + " get every event after N, on any replica. Users see their own leases', jobs' and cron jobs' events"
          + " and the public part of node, pool and load events; admins see all. Browsers may sign in with the"
          + " session cookie from POST /api/login.",
      headers = @OpenApiParam(name = "Last-Event-ID", type = Long.class,
          description = "resume after this event id (wins over last_event_id)"),
      queryParams = @OpenApiParam(name = "last_event_id", type = Long.class,
          description = "resume after this event id, for clients that cannot send headers"),
      responses = {
          @OpenApiResponse(status = "200", description = "an endless text/event-stream; data is a StreamEvent",
              content = @OpenApiContent(from = StreamEvent.class, mimeType = "text/event-stream")),
          @OpenApiResponse(status = "400", description = "Last-Event-ID is not an event id"),
          @OpenApiResponse(status = "401", description = "missing, invalid, expired or revoked token or cookie")})
  void events(Context ctx) {
    Guard.Caller caller = guard.caller(ctx);
    Long last = lastEventId(ctx);
    ctx.status(200);
    ctx.res().setContentType("text/event-stream;charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-cache, no-store");
    // Proxies that buffer by default (nginx) pass this stream through as it is written.
    ctx.res().setHeader("X-Accel-Buffering", "no");
    ctx.future(() -> {
      try {
        return hub.stream(ctx.req().getAsyncContext(), ctx.res().getOutputStream(), caller, last);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  static Long lastEventId(Context ctx) {
    String v = ctx.header("Last-Event-ID");
    String name = "Last-Event-ID";
    if (v == null || v.isBlank()) {
      v = ctx.queryParam("last_event_id");
      name = "last_event_id";
    }
    if (v == null || v.isBlank()) {
      return null;
    }
    try {
      long id = Long.parseLong(v.strip());
      if (id < 0) {
        throw new NumberFormatException();
      }
      return id;
    } catch (NumberFormatException e) {
      throw OrionException.badRequest(name + " must be an event id (a non-negative integer), not '"
          + (v.length() > 40 ? v.substring(0, 40) + "..." : v) + "'");
    }
  }
}

package dev.orion.api.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.javalin.openapi.OpenApiDescription;
import java.time.Instant;

/**
 * The {@code data} of one event on {@code GET /api/events}; ids are left out where they do not
 * apply or the caller may not see them.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StreamEvent(
    Instant at,
    @OpenApiDescription("lease, node, pool, load, job or schedule (also the SSE event name)") String kind,
    Long rentalId,
    Long nodeId,
    Long jobId,
    Long scheduledId,
    String pool,
    @JsonProperty("from") String from,
    @JsonProperty("to") String to,
    String reason) {}

package dev.orion.api.node;

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

/** Worker registration and the node list. */
public final class NodeHandlers implements Routes {
  private final NodeService nodes;
  private final Guard guard;

  public NodeHandlers(NodeService nodes, Guard guard) {
    this.nodes = nodes;
    this.guard = guard;
  }

  @Override
  public void register(Javalin app) {
    app.post("/api/workers/register", this::registerWorker);
    app.post("/api/workers/heartbeat", this::heartbeat);
    app.get("/api/nodes", this::list);
    app.delete("/api/nodes/{node_id}", this::forget);
  }

  @OpenApi(path = "/api/workers/register", methods = HttpMethod.POST, tags = "workers",
      summary = "Register a worker: the enrollment token the first time (answers its node token, once, and pins"
          + " its SSH host key), its node token afterwards (a new address is taken once the pinned key is seen there)",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = NodeRequests.Register.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = NodeViews.Registered.class)),
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = NodeViews.Registered.class)),
          @OpenApiResponse(status = "401", description = "missing token, or an unknown node token"),
          @OpenApiResponse(status = "410", description = "the node token's node was forgotten: enroll again with the"
              + " enrollment token"),
          @OpenApiResponse(status = "409", description = "enrollment token on a registered hostname, host key"
              + " differs from the pinned one, or the new address does not show the pinned key")})
  void registerWorker(Context ctx) {
    NodeService.Registered r = nodes.register(guard.agent(ctx), Json.read(ctx, NodeRequests.Register.class));
    ctx.status(r.created() ? 201 : 200).json(new NodeViews.Registered(
        r.created() ? "Worker registered" : "Worker already registered", r.nodeId(), r.nodeToken()));
  }

  @OpenApi(path = "/api/workers/heartbeat", methods = HttpMethod.POST, tags = "workers",
      summary = "Agent heartbeat (node token): the schedulers' second liveness signal, plus load figures",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = NodeRequests.Heartbeat.class), required = true),
      responses = {
          @OpenApiResponse(status = "204"),
          @OpenApiResponse(status = "401", description = "missing or unknown node token (the enrollment token too)"),
          @OpenApiResponse(status = "409", description = "the node token belongs to another hostname"),
          @OpenApiResponse(status = "410", description = "the node was forgotten: enroll again with the enrollment token")})
  void heartbeat(Context ctx) {
    nodes.heartbeat(guard.nodeToken(ctx), Json.read(ctx, NodeRequests.Heartbeat.class));
    ctx.status(204);
  }

  @OpenApi(path = "/api/nodes", methods = HttpMethod.GET, tags = "workers",
      summary = "List nodes; users see the lease details of their own leases only, admins see every lease plus"
          + " each node's address, host key fingerprint, cleanliness and last contact",
      responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = NodeViews.Node[].class)))
  void list(Context ctx) {
    nodes.list(guard.user(ctx)).send(ctx);
  }

  @OpenApi(path = "/api/nodes/{node_id}", methods = HttpMethod.DELETE, tags = "workers",
      summary = "Forget a node (admin): it leaves the node list and every queue, its host key is unpinned and its"
          + " agent must enroll again as a new node; the row stays as the history of its leases",
      pathParams = @OpenApiParam(name = "node_id", type = Long.class, required = true),
      responses = {
          @OpenApiResponse(status = "204"),
          @OpenApiResponse(status = "404", description = "no such node, or forgotten already"),
          @OpenApiResponse(status = "409", description = "the node holds a lease (named in the detail)")})
  void forget(Context ctx) {
    nodes.forget(guard.admin(ctx), PathIds.of(ctx, "node_id"));
    ctx.status(204);
  }
}

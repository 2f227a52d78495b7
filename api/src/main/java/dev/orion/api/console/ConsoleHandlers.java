package dev.orion.api.console;

import dev.orion.api.http.Routes;
import dev.orion.common.problem.OrionException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/**
 * The web console: one page and its script and style, read once from the jar. The page signs in
 * with {@code POST /api/login} (whose session cookie then signs in every call) and renders only
 * what the API answers for that session, so it shows nothing the API would not show the same
 * user. Nothing is loaded from anywhere but this origin; the Content-Security-Policy says so to
 * the browser as well.
 */
public final class ConsoleHandlers implements Routes {
  /** Self only: no inline script or style, no framing, no plugins, forms post here. */
  static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private record Asset(byte[] bytes, String type, String etag) {}

  private final Asset page;
  private final Map<String, Asset> assets;

  public ConsoleHandlers() {
    this.page = load("index.html", "text/html; charset=utf-8");
    this.assets = Map.of(
        "app.js", load("app.js", "text/javascript; charset=utf-8"),
        "app.css", load("app.css", "text/css; charset=utf-8"),
        "icon.svg", load("icon.svg", "image/svg+xml"));
  }

  @Override
  public void register(Javalin app) {
    app.get("/", this::page);
    app.get("/console/{file}", this::asset);
  }

  @OpenApi(path = "/", methods = HttpMethod.GET, tags = "console", operationId = "console",
      summary = "The web console (HTML; signs in with POST /api/login's session cookie)",
      responses = @OpenApiResponse(status = "200", content = @OpenApiContent(from = String.class, type = "text/html")))
  void page(Context ctx) {
    send(ctx, page);
  }

  @OpenApi(path = "/console/{file}", methods = HttpMethod.GET, tags = "console", operationId = "consoleAsset",
      summary = "The console's script, style and icon",
      pathParams = @io.javalin.openapi.OpenApiParam(name = "file", type = String.class, required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = String.class, type = "text/plain")),
          @OpenApiResponse(status = "404", description = "no such file")})
  void asset(Context ctx) {
    Asset a = assets.get(ctx.pathParam("file"));
    if (a == null) {
      throw OrionException.notFound("no console file '" + ctx.pathParam("file") + "'");
    }
    send(ctx, a);
  }

  private static void send(Context ctx, Asset a) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
    // Revalidated on every load (a new jar ships new files), answered 304 when unchanged.
    ctx.header("Cache-Control", "no-cache");
    ctx.header("ETag", a.etag());
    if (a.etag().equals(ctx.header("If-None-Match"))) {
      ctx.status(304);
      return;
    }
    ctx.contentType(a.type()).result(a.bytes());
  }

  private static Asset load(String name, String type) {
    try (InputStream in = ConsoleHandlers.class.getResourceAsStream("/console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console/" + name + " missing from the jar");
      }
      byte[] bytes = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
      return new Asset(bytes, type, "\"" + HexFormat.of().formatHex(digest, 0, 12) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

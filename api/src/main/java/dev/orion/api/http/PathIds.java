package dev.orion.api.http;

import dev.orion.common.problem.OrionException;
import io.javalin.http.Context;

/** Numeric ids in paths: anything that is not a positive whole number is simply not found. */
public final class PathIds {
  private PathIds() {}

  public static long of(Context ctx, String name) {
    String raw = ctx.pathParam(name);
    try {
      long id = Long.parseLong(raw);
      if (id > 0) {
        return id;
      }
    } catch (NumberFormatException ignored) {
      // falls through to 404
    }
    throw OrionException.notFound("no " + name.replace("_id", "") + " with id '" + raw + "'");
  }
}

package dev.orion.api.http;

import io.javalin.Javalin;
import java.util.Map;

/** A feature's endpoints. */
public interface Routes {
  void register(Javalin app);

  /**
   * Paths that accept bodies above {@link HttpServer#MAX_BODY_BYTES}, with their own limit in
   * bytes; they must read their body with {@link Json#read(io.javalin.http.Context, Class, long)}.
   */
  default Map<String, Long> largeBodies() {
    return Map.of();
  }
}

package dev.orion.api.http;

import io.javalin.Javalin;

/** A feature's endpoints. */
public interface Routes {
  void register(Javalin app);
}

package dev.orion.autoscaler.bench;

import io.javalin.Javalin;

/**
 * The trivial Javalin baseline of the benchmarks: same framework, same JVM flags as an API
 * replica, no database and no authentication. Listens on ORION_HTTP_HOST:ORION_HTTP_PORT.
 */
public final class HelloWorld {
  private HelloWorld() {}

  public static void main(String[] args) {
    String host = System.getenv().getOrDefault("ORION_HTTP_HOST", "127.0.0.1");
    int port = Integer.parseInt(System.getenv().getOrDefault("ORION_HTTP_PORT", "7070"));
    Javalin app = Javalin.create(c -> c.showJavalinBanner = false)
        .get("/hello", ctx -> ctx.result("hello"))
        .get("/api/ready", ctx -> ctx.result("ready"))
        .start(host, port);
    Runtime.getRuntime().addShutdownHook(new Thread(app::stop));
  }
}

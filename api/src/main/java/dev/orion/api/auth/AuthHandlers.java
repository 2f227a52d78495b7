package dev.orion.api.auth;

import dev.orion.api.http.ClientAddress;
import dev.orion.api.http.Json;
import dev.orion.api.http.Message;
import dev.orion.api.http.Routes;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.openapi.HttpMethod;
import io.javalin.openapi.OpenApi;
import io.javalin.openapi.OpenApiContent;
import io.javalin.openapi.OpenApiRequestBody;
import io.javalin.openapi.OpenApiResponse;
import java.time.Instant;

/** Sign-up and login. */
public final class AuthHandlers implements Routes {
  private final AccountService accounts;
  private final Guard guard;

  public AuthHandlers(AccountService accounts, Guard guard) {
    this.accounts = accounts;
    this.guard = guard;
  }

  public record Credentials(String username, String password) {}

  public record LoginResponse(String token, Instant expiresAt) {}

  @Override
  public void register(Javalin app) {
    app.post("/api/signup", this::signup);
    app.post("/api/login", this::login);
    app.post("/api/logout", this::logout);
  }

  @OpenApi(path = "/api/signup", methods = HttpMethod.POST, tags = "accounts", summary = "Create an account",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = Credentials.class), required = true),
      responses = {
          @OpenApiResponse(status = "201", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "400", description = "invalid username or password"),
          @OpenApiResponse(status = "409", description = "username taken")})
  void signup(Context ctx) {
    Credentials c = Json.read(ctx, Credentials.class);
    accounts.signup(c.username(), c.password());
    ctx.status(201).json(new Message("User created"));
  }

  @OpenApi(path = "/api/login", methods = HttpMethod.POST, tags = "accounts", summary = "Get a bearer token (and, for browsers, the same token as an HttpOnly session cookie)",
      requestBody = @OpenApiRequestBody(content = @OpenApiContent(from = Credentials.class), required = true),
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = LoginResponse.class)),
          @OpenApiResponse(status = "401", description = "wrong username or password"),
          @OpenApiResponse(status = "403", description = "sent from a page of another origin")})
  void login(Context ctx) {
    // A browser's login from a page of another site would sign it in to someone else's account.
    guard.requireSameOrigin(ctx, false);
    Credentials c = Json.read(ctx, Credentials.class);
    Tokens.Issued t = accounts.login(c.username(), c.password(), ClientAddress.of(ctx));
    ctx.header("Set-Cookie", Guard.sessionCookie(t.token(), t.ttl()));
    ctx.json(new LoginResponse(t.token(), t.expiresAt()));
  }

  @OpenApi(path = "/api/logout", methods = HttpMethod.POST, tags = "accounts",
      summary = "Revoke every token of the caller's account (all sessions, on every replica) and clear the session cookie",
      responses = {
          @OpenApiResponse(status = "200", content = @OpenApiContent(from = Message.class)),
          @OpenApiResponse(status = "401", description = "missing, invalid or already revoked token"),
          @OpenApiResponse(status = "403", description = "signed in by the session cookie from another origin")})
  void logout(Context ctx) {
    accounts.logout(guard.user(ctx));
    ctx.header("Set-Cookie", Guard.clearedCookie());
    ctx.json(new Message("Logged out"));
  }
}

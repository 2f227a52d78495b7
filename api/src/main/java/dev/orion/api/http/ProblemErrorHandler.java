package dev.orion.api.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.handler.ErrorHandler;

/**
 * Requests Jetty refuses before Javalin sees them (an encoded NUL or ".." in the path, a
 * malformed request line or header) would get Jetty's HTML page; they get the same problem+json
 * as every other error instead.
 */
final class ProblemErrorHandler extends ErrorHandler {
  @Override
  public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
    fields.put(HttpHeader.CONTENT_TYPE, "application/problem+json");
    String title = HttpStatus.getMessage(status);
    String body = "{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
        + ",\"detail\":\"the request line, path or headers are malformed\"}";
    return ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8));
  }
}

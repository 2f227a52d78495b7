package dev.orion.api.http;

import io.javalin.http.ContentType;
import io.javalin.http.Context;
import io.javalin.http.Header;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPOutputStream;

/**
 * An answer serialised ahead of the request, for hot reads. A {@link #shared} one is sent to many
 * callers, so its gzip form is compressed once too: a caller that accepts gzip (curl --compressed,
 * browsers, most HTTP libraries, and Caddy on behalf of clients that do not) then costs a byte
 * copy, not a compression per request. Either way the body goes out in one write with its
 * Content-Length, so proxies get it whole instead of streamed in chunks.
 */
public record RenderedJson(byte[] json, byte[] gzip) {
  /** Smaller answers are sent as they are: compressing them saves less than it costs. */
  public static final int MIN_GZIP_BYTES = 1500;

  /** Rendered once and sent to many callers: compressed now, once, when worth it. */
  public static RenderedJson shared(byte[] json) {
    return new RenderedJson(json, json.length >= MIN_GZIP_BYTES ? gzip(json) : null);
  }

  /** Rendered for one caller: compressed when sent, if the caller asks and it is worth it. */
  public static RenderedJson single(byte[] json) {
    return new RenderedJson(json, null);
  }

  public void send(Context ctx) {
    boolean compress = json.length >= MIN_GZIP_BYTES && acceptsGzip(ctx.header(Header.ACCEPT_ENCODING));
    byte[] body = compress ? (gzip != null ? gzip : gzip(json)) : json;
    HttpServletResponse res = ctx.res();
    res.setContentType(ContentType.JSON);
    res.setHeader(Header.VARY, Header.ACCEPT_ENCODING);
    if (compress) {
      res.setHeader(Header.CONTENT_ENCODING, "gzip");
    }
    res.setContentLength(body.length);
    try {
      res.getOutputStream().write(body); // straight to Jetty: nothing for Javalin to copy or compress
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether an Accept-Encoding header accepts gzip: listed by name, or through {@code *}, and not
   * refused with {@code q=0} (RFC 9110 §12.5.3).
   */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    Boolean any = null;
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.split(";");
      String name = parts[0].strip();
      boolean accepted = true;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].strip().toLowerCase(Locale.ROOT);
        if (p.startsWith("q=") && p.substring(2).strip().matches("0(\\.0*)?")) {
          accepted = false;
        }
      }
      if (name.equalsIgnoreCase("gzip")) {
        return accepted;
      }
      if (name.equals("*")) {
        any = accepted;
      }
    }
    return any != null && any;
  }

  private static byte[] gzip(byte[] json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(json.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return out.toByteArray();
  }
}

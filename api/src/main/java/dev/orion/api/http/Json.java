package dev.orion.api.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.orion.common.problem.OrionException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * The API's JSON dialect: snake_case, ISO-8601 UTC times, and strict reading. A body with an
 * unknown field, a string where a number belongs or a fraction where a whole number belongs is
 * refused with a 400 that names the field, rather than being coerced into something the caller
 * did not mean.
 */
public final class Json {
  public static final ObjectMapper MAPPER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .addModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .serializationInclusion(JsonInclude.Include.ALWAYS)
      .addModule(new SimpleModule().addDeserializer(String.class, new StrictStringDeserializer()))
      .build();

  private Json() {}

  /** {@code value} written in this dialect, for answers rendered ahead of the request. */
  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write " + value.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * Reads the request body as {@code type}, or throws a 400 naming what is wrong (413 when it is
   * larger than {@link HttpServer#MAX_BODY_BYTES}).
   */
  public static <T> T read(Context ctx, Class<T> type) {
    return read(ctx, type, HttpServer.MAX_BODY_BYTES);
  }

  /** {@link #read(Context, Class)} for a path with a larger limit of its own (see Routes). */
  public static <T> T read(Context ctx, Class<T> type, long maxBytes) {
    byte[] body = boundedBody(ctx, maxBytes);
    if (body.length == 0) {
      throw OrionException.badRequest("a JSON body is required");
    }
    try {
      T value = MAPPER.readValue(body, type);
      if (value == null) {
        throw OrionException.badRequest("the JSON body must be an object, not null");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      throw OrionException.badRequest("unknown field '" + e.getPropertyName() + "'");
    } catch (InvalidFormatException e) {
      throw OrionException.badRequest("field '" + path(e) + "' has the wrong type or format");
    } catch (MismatchedInputException e) {
      String field = path(e);
      throw OrionException.badRequest(field.isEmpty()
          ? "the JSON body must be an object"
          : "field '" + field + "' has the wrong type");
    } catch (JsonParseException e) {
      throw OrionException.badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (JsonMappingException e) {
      Throwable cause = e.getCause();
      if (cause instanceof OrionException oe) {
        throw oe;
      }
      throw OrionException.badRequest("invalid body: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw OrionException.badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw OrionException.badRequest("unreadable body");
    }
  }

  /**
   * At most {@link HttpServer#MAX_BODY_BYTES} of the body, whatever the transfer encoding:
   * Javalin's own limit checks only {@code Content-Length}, so a chunked body was read whole.
   * One byte past the limit is enough to refuse it; the rest is never read.
   */
  static byte[] boundedBody(Context ctx, long maxBytes) {
    long declared = ctx.req().getContentLengthLong();
    if (declared > maxBytes) {
      throw tooLarge(maxBytes);
    }
    byte[] body;
    try {
      body = ctx.req().getInputStream().readNBytes((int) maxBytes + 1);
    } catch (IOException e) {
      throw OrionException.badRequest("unreadable body");
    }
    if (body.length > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return body;
  }

  static OrionException tooLarge() {
    return tooLarge(HttpServer.MAX_BODY_BYTES);
  }

  static OrionException tooLarge(long maxBytes) {
    return OrionException.tooLarge("request body exceeds " + maxBytes / 1024 + " KiB");
  }

  /**
   * Why a string is refused anywhere in a body: control characters (C0, DEL, C1) end up in shell
   * quoting, logs and authorized_keys lines, and a lone surrogate cannot be stored as UTF-8.
   * No field of the API has a use for either. Returns null when the string is clean.
   */
  static String unclean(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
        return String.format("contains the control character U+%04X", (int) c);
      }
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired UTF-16 surrogate";
      }
    }
    return null;
  }

  /** Jackson turns 123 or true into "123"/"true" for String fields; a wrong type should be refused. */
  private static final class StrictStringDeserializer extends StdScalarDeserializer<String> {
    StrictStringDeserializer() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        String s = p.getText();
        String why = unclean(s);
        if (why != null) {
          String field = p.currentName();
          throw OrionException.badRequest((field == null ? "a string" : "field '" + field + "'") + " " + why);
        }
        return s;
      }
      return (String) ctxt.handleUnexpectedToken(String.class, p);
    }
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }
}

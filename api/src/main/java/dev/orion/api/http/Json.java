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

  /** Reads the request body as {@code type}, or throws a 400 naming what is wrong. */
  public static <T> T read(Context ctx, Class<T> type) {
    byte[] body = ctx.bodyAsBytes();
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

  /** Jackson turns 123 or true into "123"/"true" for String fields; a wrong type should be refused. */
  private static final class StrictStringDeserializer extends StdScalarDeserializer<String> {
    StrictStringDeserializer() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_STRING) {
        return p.getText();
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

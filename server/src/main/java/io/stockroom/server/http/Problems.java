package io.stockroom.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Writes RFC 9457 {@code application/problem+json} responses. */
public final class Problems {

  public static final String MEDIA_TYPE = "application/problem+json";

  private Problems() {}

  public static void send(ServerRequest request, ServerResponse response,
      ProblemException problem) {
    response.status(Status.create(problem.status()));
    response.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
    if (problem.retryAfterSeconds() > 0) {
      response.header(HeaderNames.RETRY_AFTER, Integer.toString(problem.retryAfterSeconds()));
    }
    response.send(render(problem, request.path().rawPath()));
  }

  public static byte[] render(ProblemException problem, String instance) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator json = Json.FACTORY.createGenerator(bytes)) {
      write(json, problem, instance);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static void write(JsonGenerator json, ProblemException problem, String instance)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("type", "urn:stockroom:problem:" + problem.slug());
    json.writeStringField("title", problem.title());
    json.writeNumberField("status", problem.status());
    json.writeStringField("detail", problem.getMessage());
    if (instance != null) {
      json.writeStringField("instance", instance);
    }
    for (Map.Entry<String, Object> entry : problem.extra().entrySet()) {
      json.writeFieldName(entry.getKey());
      value(json, entry.getValue());
    }
    json.writeEndObject();
  }

  /**
   * A problem's extra member: a scalar, a map of scalars, or a list of those (the shortages),
   * written with the generator. Not with ObjectMapper.writeValue: its first call for a type
   * builds a serializer by reflection, and the first time is when a flash sale sells out and
   * hundreds of buyers are refused at once. Anything deeper still goes through the mapper.
   */
  private static void value(JsonGenerator json, Object value) throws IOException {
    if (!scalar(json, value) && !mapOfScalars(json, value)) {
      if (!(value instanceof Iterable<?> items)) {
        Json.MAPPER.writeValue(json, value);
        return;
      }
      json.writeStartArray();
      for (Object item : items) {
        if (!scalar(json, item) && !mapOfScalars(json, item)) {
          Json.MAPPER.writeValue(json, item);
        }
      }
      json.writeEndArray();
    }
  }

  private static boolean mapOfScalars(JsonGenerator json, Object value) throws IOException {
    if (!(value instanceof Map<?, ?> map)) {
      return false;
    }
    json.writeStartObject();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      json.writeFieldName(String.valueOf(entry.getKey()));
      if (!scalar(json, entry.getValue())) {
        Json.MAPPER.writeValue(json, entry.getValue());
      }
    }
    json.writeEndObject();
    return true;
  }

  private static boolean scalar(JsonGenerator json, Object value) throws IOException {
    switch (value) {
      case null -> json.writeNull();
      case String text -> json.writeString(text);
      case Integer number -> json.writeNumber(number);
      case Long number -> json.writeNumber(number);
      case Boolean bool -> json.writeBoolean(bool);
      default -> {
        return false;
      }
    }
    return true;
  }
}

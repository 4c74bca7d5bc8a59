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
      Json.MAPPER.writeValue(json, entry.getValue());
    }
    json.writeEndObject();
  }
}

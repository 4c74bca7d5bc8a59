package io.stockroom.server.stream;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.stockroom.engine.Event;
import io.stockroom.server.http.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The JSON the streams send besides events (which {@link EventJson} renders). */
final class Wire {

  private static final JsonFactory FACTORY = JsonFactory.builder().build();

  private Wire() {}

  /** One event in the shared schema, on one line (JSON escapes every control character). */
  static byte[] json(Event event) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(384);
    try (JsonGenerator json = FACTORY.createGenerator(bytes)) {
      EventJson.write(json, event);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /**
   * The body of a resync notice. With {@code type} (WebSocket frames, where events carry their
   * type inside the JSON) or without (SSE, where the type is the {@code event:} field).
   */
  static byte[] resync(Resync resync, boolean withType) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (JsonGenerator json = FACTORY.createGenerator(bytes)) {
      json.writeStartObject();
      if (withType) {
        json.writeStringField("type", "resync");
      }
      json.writeNumberField("lastSequence", resync.lastSequence());
      json.writeStringField("reason", resync.reason());
      json.writeBooleanField("reload", resync.reload());
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}

package io.stockroom.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Sequencer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** Health, Prometheus metrics and the OpenAPI description. */
final class OpsRoutes {

  private final Sequencer sequencer;
  private final ReadView view;
  private final PrometheusMeterRegistry registry;
  private final byte[] openApi;

  OpsRoutes(Sequencer sequencer, ReadView view, PrometheusMeterRegistry registry) {
    this.sequencer = sequencer;
    this.view = view;
    this.registry = registry;
    this.openApi = resource("/openapi.yaml");
  }

  private static byte[] resource(String name) {
    try (InputStream in = OpsRoutes.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is missing from the server jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void register(Routes routing) {
    routing.get("/health/live", (request, response) -> Exchange.json(response, 200, 0,
            json -> {
              json.writeStartObject();
              json.writeStringField("status", "UP");
              json.writeEndObject();
            }))
        .get("/health/ready", this::ready)
        .get("/metrics", this::metrics)
        .get("/openapi.yaml", (request, response) -> {
          response.header(HeaderNames.CONTENT_TYPE, "application/yaml");
          response.send(openApi);
        });
  }

  /** Ready once recovered (the server only listens after recovery) and while writes work. */
  private void ready(ServerRequest request, ServerResponse response) {
    boolean writable = sequencer.writable();
    Throwable failure = sequencer.failure();
    Exchange.json(response, writable ? 200 : 503, view.sequence(), json -> {
      json.writeStartObject();
      json.writeStringField("status", writable ? "UP" : "DOWN");
      json.writeNumberField("sequence", view.sequence());
      json.writeNumberField("queueDepth", sequencer.queueDepth());
      if (failure != null) {
        json.writeStringField("reason", "writes stopped: " + failure.getMessage());
      }
      json.writeEndObject();
    });
  }

  private void metrics(ServerRequest request, ServerResponse response) {
    response.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    response.send(registry.scrape());
  }
}

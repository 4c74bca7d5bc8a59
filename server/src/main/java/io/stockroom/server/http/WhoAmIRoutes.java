package io.stockroom.server.http;

import io.stockroom.server.security.Principal;
import java.util.Locale;

/**
 * {@code GET /v1/whoami}: the calling key's id and role. The dashboard asks it at sign-in, to
 * check the key and to show admin controls only to admin keys (the routes refuse others anyway).
 */
final class WhoAmIRoutes {

  static final String PATH = "/v1/whoami";

  void register(Routes routes) {
    routes.get(PATH, (request, response) -> {
      Principal caller = request.context().get(Principal.class).orElseThrow(
          () -> new IllegalStateException("authentication registers a principal on " + PATH));
      Exchange.json(response, 200, 0, json -> {
        json.writeStartObject();
        json.writeStringField("id", caller.id());
        json.writeStringField("role", caller.role().name().toLowerCase(Locale.ROOT));
        json.writeEndObject();
      });
    });
  }
}

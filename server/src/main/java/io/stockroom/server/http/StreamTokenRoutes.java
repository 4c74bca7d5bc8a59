package io.stockroom.server.http;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.server.security.Principal;
import io.stockroom.server.security.StreamTokens;
import java.util.Set;

/**
 * {@code POST /v1/stream-tokens}: trades the caller's API key (sent in the header, by a backend)
 * for a short-lived read-only token a browser may put in a stream URL. Only a key can ask:
 * stream tokens are not accepted here, so a token cannot be used to extend itself.
 */
final class StreamTokenRoutes {

  static final String PATH = "/v1/stream-tokens";

  private final StreamTokens tokens;
  private final Exchange exchange;

  StreamTokenRoutes(StreamTokens tokens, Exchange exchange) {
    this.tokens = tokens;
    this.exchange = exchange;
  }

  void register(Routes routes) {
    routes.post(PATH, this::issue);
  }

  private void issue(ServerRequest request, ServerResponse response) {
    if (request.content().hasEntity()) {
      // Room for options later; none today, so only {} (strict, like every body).
      exchange.object(request, exchange.body(request), Set.of());
    }
    Principal issuer = request.context().get(Principal.class).orElseThrow(
        () -> new IllegalStateException("authentication registers a principal on " + PATH));
    StreamTokens.Issued issued = tokens.issue(issuer);
    Exchange.json(response, 201, 0, json -> {
      json.writeStartObject();
      json.writeStringField("token", issued.token());
      json.writeNumberField("expiresAt", issued.expiresAtMillis());
      json.writeEndObject();
    });
  }
}

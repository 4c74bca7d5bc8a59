package io.stockroom.server.http;

import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import java.util.List;

/**
 * Registers routes and records each "METHOD /path" it registered, so the OpenAPI description
 * can be checked against what the server really serves.
 */
final class Routes {

  private final HttpRouting.Builder routing;
  private final List<String> declared;

  Routes(HttpRouting.Builder routing, List<String> declared) {
    this.routing = routing;
    this.declared = declared;
  }

  Routes get(String path, Handler handler) {
    declared.add("GET " + path);
    routing.get(path, handler);
    return this;
  }

  Routes post(String path, Handler handler) {
    declared.add("POST " + path);
    routing.post(path, handler);
    return this;
  }

  Routes put(String path, Handler handler) {
    declared.add("PUT " + path);
    routing.put(path, handler);
    return this;
  }
}

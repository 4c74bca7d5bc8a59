package io.stockroom.server.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The routing filter that refuses a request target that is not a path ({@code GET jwt:x},
 * {@code OPTIONS *}) with 400 before any route is matched. Helidon parses such a target as a URI
 * without a path, and its path matchers then fail with a NullPointerException (a 500); found by
 * HttpFuzzTest. Registered right after the security headers, so the refusal carries them.
 */
final class RequestTarget {

  private RequestTarget() {}

  static void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    String target = request.path().rawPath();
    if (target == null || !target.startsWith("/")) {
      // No instance: the target is what could not be read.
      response.status(400);
      response.header(io.helidon.http.HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
      response.send(Problems.render(ProblemException.badRequest("the request target must be a"
          + " path starting with /"), null));
      return;
    }
    chain.proceed();
  }
}
